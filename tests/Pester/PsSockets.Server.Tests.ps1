# The concurrent server: Start-SocketListener -Handler runs a script block per connection in runspaces of
# its own, Get-SocketServer lists the running servers, Stop-SocketServer stops them. Synchronisation is by
# receives with -Timeout and by the server's own counters, never by sleeping.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"

    function Wait-Until {
        # Spins on a condition, with a bound: the server's counters move on other threads.
        param([scriptblock] $Condition, [double] $Seconds = 10)
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not (& $Condition)) {
            if ($watch.Elapsed.TotalSeconds -gt $Seconds) { throw "Timed out waiting for { $Condition }" }
            [System.Threading.Thread]::Yield() | Out-Null
        }
    }
}

AfterAll {
    Get-SocketServer | Stop-SocketServer
    Get-Socket | Close-Socket
}

Describe 'Start-SocketListener -Handler' {
    AfterEach {
        Get-SocketServer | Stop-SocketServer
        Get-Socket | Close-Socket
    }

    It 'serves each client with the handler and closes its socket when the handler ends' {
        $server = Start-SocketListener -Port 0 -Name pester-echo -Handler {
            param($client)
            Receive-SocketData $client -Line -Continuous | Send-SocketData $client -Line
        }
        $server | Should -BeOfType PsSockets.SocketServer
        $server.State | Should -Be 'Running'

        $clients = 1..3 | ForEach-Object { Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Timeout 5 }
        foreach ($c in $clients) { Send-SocketData $c -Line "hello $($c.Id)" }
        foreach ($c in $clients) { Receive-SocketData $c -Line -Timeout 5 | Should -BeExactly "hello $($c.Id)" }
        foreach ($c in $clients) {
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $c -ToEnd -Timeout 5 | Should -BeExactly ''
            $c.PeerClosed | Should -BeTrue
        }
        $server.Accepted | Should -Be 3
        $server.Completed | Should -Be 3
        $server.Active | Should -Be 0
    }

    It 'records a handler that throws and serves the next client' {
        $server = Start-SocketListener -Port 0 -Handler {
            param($client)
            $line = Receive-SocketData $client -Line -Timeout 5
            if ($line -eq 'boom') { throw 'boom from a handler' }
            Send-SocketData $client -Line "ok $line"
        }
        $answers = @()
        foreach ($line in 'boom', 'next') {
            $c = Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Timeout 5
            Send-SocketData $c -Line $line
            $answers += @(Receive-SocketData $c -ToEnd -Timeout 5)
            Close-Socket $c
        }
        $answers | Should -Be @('', "ok next`n")
        $server.Failed | Should -Be 1
        $server.Completed | Should -Be 1
        $server.State | Should -Be 'Running'
        $server.Errors[0].Exception.Message | Should -BeExactly 'boom from a handler'
    }

    It 'passes -ArgumentList and $using: variables, and keeps what handlers output' {
        $word = 'using'
        $server = Start-SocketListener -Port 0 -ArgumentList 'argument' -Handler {
            param($client, $fromArguments)
            "$fromArguments $using:word $($client.GetType().Name)"
        }
        $c = Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Timeout 5
        Receive-SocketData $c -ToEnd -Timeout 5 | Out-Null
        $server.Output | Should -Be @('argument using PsSocket')
    }

    It 'runs at most -ThrottleLimit handlers; other clients wait in the backlog' {
        $gate = [System.Threading.ManualResetEventSlim]::new()
        $server = Start-SocketListener -Port 0 -ThrottleLimit 2 -ArgumentList $gate -Handler {
            param($client, $gate)
            while (-not $gate.Wait(20)) { }
            Send-SocketData $client -Line 'served'
        }
        $clients = 1..3 | ForEach-Object { Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Timeout 5 }
        Wait-Until { $server.Active -eq 2 }
        $server.Accepted | Should -Be 2
        $gate.Set()
        foreach ($c in $clients) { Receive-SocketData $c -Line -Timeout 10 | Should -BeExactly 'served' }
        $server.Accepted | Should -Be 3
    }

    It 'refuses -Handler with a datagram socket' {
        { Start-SocketListener -Port 0 -Handler { param($c) } -Datagram -ErrorAction Stop } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,PsSockets.Commands.StartSocketListenerCommand'
    }
}

Describe 'Get-SocketServer and Stop-SocketServer' {
    AfterEach {
        Get-SocketServer | Stop-SocketServer
        Get-Socket | Close-Socket
    }

    It 'lists running servers by id and name and forgets stopped ones' {
        $a = Start-SocketListener -Port 0 -Name pester-a -Handler { param($c) }
        $b = Start-SocketListener -Port 0 -Name pester-b -Handler { param($c) }
        (Get-SocketServer -Name pester-*).Name | Should -Be @('pester-a', 'pester-b')
        (Get-SocketServer -Id $b.Id).Name | Should -BeExactly 'pester-b'
        { Get-SocketServer -Name pester-nosuch -ErrorAction Stop } |
            Should -Throw -ErrorId 'SocketServerNotFound,PsSockets.Commands.GetSocketServerCommand'

        Stop-SocketServer pester-a
        $a.State | Should -Be 'Stopped'
        (Get-SocketServer).Name | Should -Not -Contain 'pester-a'
    }

    It 'frees the port at once and closes the clients of running handlers' {
        $server = Start-SocketListener -Port 0 -Handler {
            param($client)
            Send-SocketData $client -Line 'hello'
            Receive-SocketData $client -Line -Continuous | Send-SocketData $client -Line
        }
        $port = $server.LocalEndPoint.Port
        $c = Connect-Socket 127.0.0.1 $port -Timeout 5
        Receive-SocketData $c -Line -Timeout 5 | Should -BeExactly 'hello'

        Stop-SocketServer $server
        $server.State | Should -Be 'Stopped'
        $server.Interrupted | Should -Be 1
        $again = Start-SocketListener -Port $port
        $again.LocalEndPoint.Port | Should -Be $port
        Receive-SocketData $c -ToEnd -Timeout 5 | Should -BeExactly ''
        $c.PeerClosed | Should -BeTrue
    }

    It 'stops the handlers at once when Ctrl+C ends its -Timeout wait' {
        $server = Start-SocketListener -Port 0 -Handler {
            param($client)
            Send-SocketData $client -Line 'hello'
            Receive-SocketData $client -Line -Continuous | Send-SocketData $client -Line
        }
        $c = Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Timeout 5
        Receive-SocketData $c -Line -Timeout 5 | Should -BeExactly 'hello'

        # PowerShell.Stop() from here is what Ctrl+C does to the command in the other runspace.
        $sessionState = [initialsessionstate]::CreateDefault2()
        $sessionState.ImportPSModule([string[]] @($PsSocketsModulePath))
        $runspace = [runspacefactory]::CreateRunspace($sessionState)
        $runspace.Open()
        $shell = [powershell]::Create()
        try {
            $shell.Runspace = $runspace
            $null = $shell.AddCommand('Stop-SocketServer').AddParameter('Server', $server).AddParameter('Timeout', 60)
            $pending = $shell.BeginInvoke()
            Wait-Until { $server.State -eq 'Stopping' }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $pending.IsCompleted | Should -BeTrue
            $server.State | Should -Be 'Stopped'
            $server.Interrupted | Should -Be 1
        }
        finally {
            $shell.Dispose()
            $runspace.Dispose()
        }
    }

    It 'stops nothing with -WhatIf' {
        $server = Start-SocketListener -Port 0 -Handler { param($c) }
        Stop-SocketServer $server -WhatIf
        $server.State | Should -Be 'Running'
    }
}
