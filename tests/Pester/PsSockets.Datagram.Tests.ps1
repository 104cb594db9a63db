# Datagram sockets: UDP by sendto/recvfrom and connected, unix datagrams, truncation, multicast on loopback.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'UDP with the same cmdlets' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'sends to an endpoint and receives one datagram with its sender' {
        $server = Start-SocketListener -Udp -Port 0
        $client = New-Socket -Type Dgram
        Send-SocketData $client 'hello' -To "127.0.0.1:$($server.LocalEndPoint.Port)"
        $datagram = Receive-SocketData $server -Timeout 5
        $datagram.Text | Should -Be 'hello'
        $datagram.RemoteEndPoint.Port | Should -Be $client.LocalEndPoint.Port
        Send-SocketData $server $datagram.Data -To $datagram.RemoteEndPoint
        (Receive-SocketData $client -Timeout 5).Text | Should -Be 'hello'
    }

    It 'keeps each message one datagram, framing inside it' {
        $server = Start-SocketListener -Udp -Port 0
        $client = Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Udp
        'a', 'bb' | Send-SocketData $client -Line
        (Receive-SocketData $server -Timeout 5).Length | Should -Be 2
        (Receive-SocketData $server -Timeout 5).Text | Should -Be "bb`n"
    }

    It 'reports a datagram longer than -BufferSize as truncated, never as output' {
        $server = Start-SocketListener -Udp -Port 0
        $client = New-Socket -Type Dgram
        Send-SocketData $client ([byte[]]::new(3000)) -To $server.LocalEndPoint
        $output = Receive-SocketData $server -BufferSize 1000 -Timeout 5 -ErrorVariable cut -ErrorAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $cut[0].FullyQualifiedErrorId | Should -Be 'DatagramTruncated,PsSockets.Commands.ReceiveSocketDataCommand'
        $cut[0].TargetObject.SentLength | Should -Be 3000
    }

    It 'says HostNotFound for a destination that does not resolve' {
        $client = New-Socket -Type Dgram
        { Send-SocketData $client 'x' -To 'no-such-host.invalid:9' -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostNotFound,PsSockets.Commands.SendSocketDataCommand'
    }

    It 'is an echo server in one line' {
        $server = Start-SocketListener -Udp -Port 0
        $client = New-Socket -Type Dgram
        'one', 'two' | Send-SocketData $client -To $server.LocalEndPoint
        Receive-SocketData $server -Timeout 1 -Continuous -ErrorAction SilentlyContinue |
            ForEach-Object { Send-SocketData $server $_.Data -To $_.RemoteEndPoint }
        (Receive-SocketData $client -Timeout 5).Text | Should -Be 'one'
        (Receive-SocketData $client -Timeout 5).Text | Should -Be 'two'
    }

    It 'joins a multicast group on the loopback interface' {
        $group = '239.255.77.42'
        $receiver = Start-SocketListener -MulticastGroup $group -Port 0
        Send-SocketData $receiver 'to the group' -To "$($group):$($receiver.LocalEndPoint.Port)"
        (Receive-SocketData $receiver -Timeout 5).Text | Should -Be 'to the group'
    }
}

Describe 'Unix datagram sockets' -Skip:(-not $IsLinux) {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'answers a connected client by the name the kernel gave it' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "pssockets-pester-$([guid]::NewGuid().ToString('n').Substring(0, 8)).sock"
        $server = Start-SocketListener -Path $path -Datagram
        $client = Connect-Socket -Path $path -Datagram
        Send-SocketData $client 'ping'
        $request = Receive-SocketData $server -Timeout 5
        Send-SocketData $server "echo:$request" -To $request
        (Receive-SocketData $client -Timeout 5).Text | Should -Be 'echo:ping'
        Close-Socket $server
        $path | Should -Not -Exist
    }
}
