# Start-SocketRelay, Get-SocketRelay and Stop-SocketRelay: TCP, unix and UDP relays between PsSockets peers,
# half-closes carried across, a refusing target, the trace, and stopping that frees the port.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"

    function Start-TargetedRelay {
        # A listener as the target and a relay in front of it: returns both, and a client connected through the relay.
        param([hashtable] $RelayArguments = @{})
        $target = Start-SocketListener -Port 0 -ErrorAction Stop
        $relay = Start-SocketRelay 0 "127.0.0.1:$($target.LocalEndPoint.Port)" @RelayArguments -ErrorAction Stop
        $client = Connect-Socket 127.0.0.1 $relay.ListenEndPoint.Port -Timeout 5 -ErrorAction Stop
        $server = Wait-SocketConnection $target -Timeout 10 -ErrorAction Stop
        [pscustomobject]@{ Target = $target; Relay = $relay; Client = $client; Server = $server }
    }
}

AfterAll {
    Get-SocketRelay | Stop-SocketRelay
    Get-Socket | Close-Socket
}

Describe 'A TCP relay' {
    AfterEach {
        Get-SocketRelay | Stop-SocketRelay
        Get-Socket | Close-Socket
    }

    It 'returns at once with a running relay on a free loopback port' {
        $relay = Start-SocketRelay -ListenPort 0 -Target 127.0.0.1:9 -Name pester
        $relay | Should -BeOfType PsSockets.SocketRelay
        $relay.State | Should -Be Running
        $relay.ListenEndPoint.Address.ToString() | Should -Be '127.0.0.1'
        $relay.ListenEndPoint.Port | Should -BeGreaterThan 0
        $relay.Target | Should -Be '127.0.0.1:9'
        (Get-SocketRelay -Name pester).Id | Should -Be $relay.Id
    }

    It 'carries bytes both ways and counts them' {
        $pair = Start-TargetedRelay
        $request = [byte[]]::new(200KB); [Random]::new(1).NextBytes($request)
        Send-SocketData $pair.Client $request
        $got = Receive-SocketData $pair.Server -Count 200KB -AsByteArray -Timeout 10
        [Linq.Enumerable]::SequenceEqual([byte[]]$got, $request) | Should -BeTrue
        Send-SocketData $pair.Server 'answer'
        Receive-SocketData $pair.Client -Count 6 -Timeout 10 | Should -Be 'answer'
        $pair.Relay.BytesUp | Should -Be 200KB
        $pair.Relay.BytesDown | Should -Be 6
        $pair.Relay.ActiveConnections | Should -Be 1
    }

    It 'carries a half-close across: the request ends, the answer still comes back' {
        $pair = Start-TargetedRelay
        Send-SocketData $pair.Client "GET / HTTP/1.0`r`n`r`n"
        Disconnect-Socket $pair.Client -Direction Send
        Receive-SocketData $pair.Server -ToEnd -Timeout 10 | Should -Be "GET / HTTP/1.0`r`n`r`n"
        Send-SocketData $pair.Server 'HTTP/1.0 200 OK'
        Close-Socket $pair.Server
        Receive-SocketData $pair.Client -ToEnd -Timeout 10 | Should -Be 'HTTP/1.0 200 OK'
    }

    It 'resets a client whose target refuses, records why, and keeps running' {
        $relay = Start-SocketRelay 0 "127.0.0.1:$(Get-ClosedLoopbackPort)"
        $client = Connect-Socket 127.0.0.1 $relay.ListenEndPoint.Port -Timeout 5
        { Receive-SocketData $client -Timeout 10 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand'
        $relay.State | Should -Be Running
        $relay.Errors[0].ErrorId | Should -Be 'ConnectionRefused'
    }

    It 'keeps a bounded trace of what passed' {
        $pair = Start-TargetedRelay -RelayArguments @{ TraceLimit = 1KB }
        foreach ($i in 1..10) {
            Send-SocketData $pair.Client ('x' * 200)
            $null = Receive-SocketData $pair.Server -Count 200 -Timeout 10
        }
        $cost = 0
        $pair.Relay.Trace | ForEach-Object { $cost += $_.Data.Length + [PsSockets.RelayTrace]::EntryCost }
        $cost | Should -BeLessOrEqual 1KB
        $pair.Relay.TraceDropped | Should -BeGreaterThan 0
        $pair.Relay.Trace[-1].Text | Should -Be ('x' * 200)
        (Get-SocketRelay -Id $pair.Relay.Id -Trace).Count | Should -Be $pair.Relay.Trace.Count
    }
}

Describe 'Relays between unix and TCP' -Skip:($IsWindows) {
    AfterEach {
        Get-SocketRelay | Stop-SocketRelay
        Get-Socket | Close-Socket
    }

    It 'puts TCP in front of a unix socket' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "pssockets-pester-$([guid]::NewGuid().ToString('n').Substring(0, 8)).sock"
        $app = Start-SocketListener -Path $path
        $relay = Start-SocketRelay 0 "unix:$path"
        $client = Connect-Socket 127.0.0.1 $relay.ListenEndPoint.Port -Timeout 5
        $server = Wait-SocketConnection $app -Timeout 10
        Send-SocketData $client "ping`n"
        Receive-SocketData $server -Line -Timeout 10 | Should -Be 'ping'
    }

    It 'puts a unix socket in front of TCP, and removes its file when stopped' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "pssockets-pester-$([guid]::NewGuid().ToString('n').Substring(0, 8)).sock"
        $target = Start-SocketListener -Port 0
        $relay = Start-SocketRelay "unix:$path" "127.0.0.1:$($target.LocalEndPoint.Port)"
        $relay.Protocol | Should -Be Unix
        $client = Connect-Socket -Path $path -Timeout 5
        $server = Wait-SocketConnection $target -Timeout 10
        Send-SocketData $server "welcome`n"
        Receive-SocketData $client -Line -Timeout 10 | Should -Be 'welcome'
        Stop-SocketRelay $relay
        Test-Path $path | Should -BeFalse
    }
}

Describe 'A UDP relay' {
    AfterEach {
        Get-SocketRelay | Stop-SocketRelay
        Get-Socket | Close-Socket
    }

    It 'gives each client a session of its own and sends each answer back to its client' {
        $service = Start-SocketListener -Udp -Port 0
        $relay = Start-SocketRelay 0 "127.0.0.1:$($service.LocalEndPoint.Port)" -Udp -IdleTimeout 30
        $alice = New-Socket -Type Dgram
        $bob = New-Socket -Type Dgram
        Send-SocketData $alice 'alice' -To $relay.ListenEndPoint
        Send-SocketData $bob 'bob' -To $relay.ListenEndPoint
        $senders = foreach ($i in 1..2) {
            $question = Receive-SocketData $service -Timeout 10
            Send-SocketData $service "hello, $($question.Text)" -To $question.RemoteEndPoint
            $question.RemoteEndPoint.Port
        }
        ($senders | Sort-Object -Unique).Count | Should -Be 2
        (Receive-SocketData $alice -Timeout 10).Text | Should -Be 'hello, alice'
        (Receive-SocketData $bob -Timeout 10).Text | Should -Be 'hello, bob'
        $relay.TotalConnections | Should -Be 2
    }

    It 'ends a silent session after the idle timeout' {
        $service = Start-SocketListener -Udp -Port 0
        $relay = Start-SocketRelay 0 "127.0.0.1:$($service.LocalEndPoint.Port)" -Udp -IdleTimeout 0.5
        $client = New-Socket -Type Dgram
        Send-SocketData $client 'once' -To $relay.ListenEndPoint
        $null = Receive-SocketData $service -Timeout 10
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ($relay.ActiveConnections -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $relay.ActiveConnections | Should -Be 0
        $relay.TotalConnections | Should -Be 1
    }
}

Describe 'Stopping a relay' {
    AfterEach {
        Get-SocketRelay | Stop-SocketRelay
        Get-Socket | Close-Socket
    }

    It 'frees the port at once and resets the connections it carried' {
        $pair = Start-TargetedRelay
        $port = $pair.Relay.ListenEndPoint.Port
        Stop-SocketRelay $pair.Relay
        $pair.Relay.State | Should -Be Stopped
        (Start-SocketListener -Port $port).State | Should -Be Listening
        { Receive-SocketData $pair.Client -Timeout 10 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand'
        Get-SocketRelay | Should -BeNullOrEmpty
    }

    It 'does nothing with -WhatIf' {
        $relay = Start-SocketRelay 0 127.0.0.1:9 -Name whatif
        Stop-SocketRelay whatif -WhatIf
        $relay.State | Should -Be Running
    }

    It 'stops every relay when the runspace that started them closes' {
        $runspace = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
        $runspace.Open()
        $ps = [powershell]::Create($runspace)
        $null = $ps.AddScript('param($module) Import-Module $module; (Start-SocketRelay 0 127.0.0.1:9).ListenEndPoint.Port').AddArgument($PsSocketsModulePath)
        $port = $ps.Invoke()[0]
        $ps.Dispose()
        $runspace.Dispose()
        (Start-SocketListener -Port $port).State | Should -Be Listening
    }
}

Describe 'Relay misuse' {
    It 'refuses <Case>' -ForEach @(
        @{ Case = 'a target without a port'; Command = { Start-SocketRelay 0 127.0.0.1 -ErrorAction Stop }; Id = 'InvalidArgument' }
        @{ Case = 'a target that does not resolve'; Command = { Start-SocketRelay 0 no-such-host.invalid:80 -ErrorAction Stop }; Id = 'HostNotFound' }
        @{ Case = '-IdleTimeout without -Udp'; Command = { Start-SocketRelay 0 127.0.0.1:80 -IdleTimeout 5 -ErrorAction Stop }; Id = 'IdleTimeoutWithoutUdp' }
    ) {
        $Command | Should -Throw -ErrorId "$Id,PsSockets.Commands.StartSocketRelayCommand"
        Get-SocketRelay | Should -BeNullOrEmpty
    }
}
