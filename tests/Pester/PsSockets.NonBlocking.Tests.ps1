# Select-Socket at scale and non-blocking sockets: select from the pipeline, failed sockets in the error
# set with their reason, and the calls of a non-blocking socket that return instead of waiting. The
# select server example runs against a few clients. Loopback only; synchronisation is by Select-Socket
# and receives with -Timeout, never by sleeping.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'Select-Socket over many sockets' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'finds the one ready socket among 1,200 connections, past descriptor 1,024, from a list and from the pipeline' {
        $listener = Start-SocketListener -Port 0 -Backlog 512
        $port = $listener.LocalEndPoint.Port
        $clients = [System.Collections.Generic.List[object]]::new()
        $servers = [System.Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt 1200; $i++) {
            $clients.Add((Connect-Socket 127.0.0.1 $port -Timeout 5 -ErrorAction Stop))
            $servers.Add((Wait-SocketConnection $listener -Timeout 5 -ErrorAction Stop))
        }
        [int]$servers[-1].Socket.Handle | Should -BeGreaterThan 1024

        Send-SocketData $clients[900] 'x'
        $fromList = Select-Socket -Read $servers -Timeout 5
        $fromPipeline = $servers | Select-Socket -Read -Timeout 5

        $fromList.Read | Should -HaveCount 1
        $fromList.Read[0].Id | Should -Be $servers[900].Id
        $fromPipeline.Read | Should -HaveCount 1
        $fromPipeline.Read[0].Id | Should -Be $servers[900].Id
        (Get-Socket | Select-Socket -Read -Timeout 5).Read.Id | Should -Be $servers[900].Id
    }

    It 'reports a peer that reset the connection in .Error, with the reason, not in .Read' {
        $pair = New-LoopbackPair
        Close-Socket $pair.Client -Abort

        $result = Select-Socket -Read $pair.Server, $pair.Listener -Timeout 5

        $result.Read | Should -BeNullOrEmpty
        $result.Error | Should -HaveCount 1
        $result.Error[0].Id | Should -Be $pair.Server.Id
        $pair.Server.State | Should -Be 'Failed'
        $pair.Server.LastError.ErrorId | Should -Be 'ConnectionReset'
        { Receive-SocketData $pair.Server -Timeout 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand'
    }

    It 'reports a closed socket in .Error and still finds the ready one' {
        $pair = New-LoopbackPair
        $dead = New-Socket
        Close-Socket $dead
        Send-SocketData $pair.Client 'x'

        $result = Select-Socket -Read $dead, $pair.Server -Timeout 5

        $result.Read.Id | Should -Be $pair.Server.Id
        $result.Error.Id | Should -Be $dead.Id
    }
}

Describe 'A non-blocking socket' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'returns nothing from a receive with nothing to read, at once, and says it would block' {
        $pair = New-LoopbackPair
        Set-SocketOption $pair.Server Blocking $false
        $pair.Server.Timeout = 30

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $got = Receive-SocketData $pair.Server -Verbose 4>&1

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $got | Should -HaveCount 1
        $got[0] | Should -BeOfType System.Management.Automation.VerboseRecord
        $got[0].Message | Should -BeLike 'recv(#*) would block (EWOULDBLOCK)*'
    }

    It 'keeps a part line buffered, and Select-Socket waits for the rest' {
        $pair = New-LoopbackPair
        Set-SocketOption $pair.Server Blocking $false
        Send-SocketData $pair.Client 'hel'
        $null = Select-Socket -Read $pair.Server -Timeout 5

        Receive-SocketData $pair.Server -Line | Should -BeNullOrEmpty
        $pair.Server.BytesBuffered | Should -Be 3
        (Select-Socket -Read $pair.Server -Timeout 0.2).TimedOut | Should -BeTrue

        Send-SocketData $pair.Client "lo`n"
        $null = Select-Socket -Read $pair.Server -Timeout 5
        Receive-SocketData $pair.Server -Line | Should -BeExactly 'hello'
    }

    It 'starts a connect that Select-Socket -Write reports connected' {
        $listener = Start-SocketListener -Port 0
        $client = New-Socket -NonBlocking | Connect-Socket -ComputerName 127.0.0.1 -Port $listener.LocalEndPoint.Port

        $result = Select-Socket -Write $client -Timeout 5

        $result.Write.Id | Should -Be $client.Id
        $client.State | Should -Be 'Connected'
        $client.RemoteEndPoint.Port | Should -Be $listener.LocalEndPoint.Port
    }

    It 'starts a connect that Select-Socket reports in .Error with ConnectionRefused when nothing listens' {
        $port = Get-ClosedLoopbackPort
        $client = New-Socket -NonBlocking | Connect-Socket -ComputerName 127.0.0.1 -Port $port

        $result = Select-Socket -Write $client -Timeout 5

        $result.Write | Should -BeNullOrEmpty
        $result.Error.Id | Should -Be $client.Id
        $client.State | Should -Be 'Failed'
        $client.LastError.ErrorId | Should -Be 'ConnectionRefused'
    }

    It 'returns nothing from Wait-SocketConnection when no client waits, and accepts non-blocking connections' {
        $listener = Start-SocketListener -Port 0 -Option @{ Blocking = $false }

        Wait-SocketConnection $listener | Should -BeNullOrEmpty
        $client = Connect-Socket 127.0.0.1 $listener.LocalEndPoint.Port -Timeout 5
        $null = Select-Socket -Read $listener -Timeout 5
        $server = Wait-SocketConnection $listener

        $server.State | Should -Be 'Connected'
        $server.IsNonBlocking | Should -BeTrue
    }

    It 'sends what fits and says how many bytes went' {
        $pair = New-LoopbackPair
        $pair.Server.Socket.ReceiveBufferSize = 4096
        $pair.Client.Socket.SendBufferSize = 4096
        Set-SocketOption $pair.Client Blocking $false

        $err = { Send-SocketData $pair.Client ([byte[]]::new(16MB)) -ErrorAction Stop } |
            Should -Throw -ErrorId 'WouldBlock,PsSockets.Commands.SendSocketDataCommand' -PassThru

        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $sent = $err.Exception.BytesSent
        $sent | Should -BeGreaterThan 0
        $sent | Should -BeLessThan 16MB
        (Receive-SocketData $pair.Server -Count $sent -AsByteArray -Timeout 10).Length | Should -Be $sent
        (Select-Socket -Read $pair.Server -Timeout 0.2).TimedOut | Should -BeTrue
    }
}

Describe 'examples/select-server.ps1' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'echoes each of several clients its own bytes, from one thread' {
        $example = [System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'examples', 'select-server.ps1')
        # The listener is made here, so the clients can connect before the server (another runspace) runs.
        $listener = Start-SocketListener -Port 0
        $clients = 1..3 | ForEach-Object { Connect-Socket 127.0.0.1 $listener.LocalEndPoint.Port -Timeout 5 -ErrorAction Stop }
        $server = [powershell]::Create([initialsessionstate]::CreateDefault2())
        $null = $server.AddScript("Import-Module '$PsSocketsModulePath'; & '$example' -Listener `$args[0] -MaxClients 3").AddArgument($listener)
        $running = $server.BeginInvoke()
        try {
            foreach ($client in $clients) {
                Send-SocketData $client "hello from $($client.Id)`n"
            }
            foreach ($client in $clients) {
                Receive-SocketData $client -Line -Timeout 5 | Should -BeExactly "hello from $($client.Id)"
                Close-Socket $client
            }
            $output = $server.EndInvoke($running)
            $output[0] | Should -Be "listening on $($listener.LocalEndPoint)"
            $output[-1] | Should -BeLike 'served 3 clients (0 dropped)*'
            $listener.IsClosed | Should -BeTrue
        }
        finally {
            $server.Dispose()
        }
    }
}
