# Sockets without a network: socket pairs and unix domain sockets by path; and name resolution.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'Sockets with no listener and no port' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'makes a <Transport> socket pair that talks both ways' -ForEach @(
        @{ Transport = 'Unix' }
        @{ Transport = 'Tcp' }
    ) {
        $a, $b = New-SocketPair $Transport -Timeout 5
        'request' | Send-SocketData $a -Line
        Receive-SocketData $b -Line | Should -Be 'request'
        Send-SocketData $b "answer`n"
        Receive-SocketData $a -Line | Should -Be 'answer'
        Close-Socket $a
        { Receive-SocketData $b -ErrorAction Stop } | Should -Throw -ErrorId 'PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand'
    }

    It 'listens and connects on a unix path, and removes the file on close' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "pssockets-pester-$([guid]::NewGuid().ToString('n').Substring(0, 8)).sock"
        $listener = Start-SocketListener -Path $path
        $path | Should -Exist
        $client = Connect-Socket -Path $path -Timeout 5
        $server = Wait-SocketConnection $listener -Timeout 5
        Send-SocketData $client "over a file`n"
        Receive-SocketData $server -Line -Timeout 5 | Should -Be 'over a file'
        Close-Socket $listener
        $path | Should -Not -Exist
    }

    It 'refuses a unix path longer than the system takes' {
        { Start-SocketListener -Path ('/tmp/' + 'x' * 120) -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,PsSockets.Commands.StartSocketListenerCommand'
    }
}

Describe 'Resolve-SocketAddress' {
    It 'turns address literals into endpoints in the one printed form' {
        Resolve-SocketAddress 127.0.0.1, '[::1]' -Port 80 | ForEach-Object { "$_" } | Should -Be @('127.0.0.1:80', '[::1]:80')
    }

    It 'reports a name that does not resolve as HostNotFound' {
        { Resolve-SocketAddress nonexistent.invalid -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostNotFound,PsSockets.Commands.ResolveSocketAddressCommand'
    }
}
