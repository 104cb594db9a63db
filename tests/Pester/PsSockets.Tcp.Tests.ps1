# The TCP life cycle on loopback: listen, connect, accept, send, receive in every framing, select,
# shutdown, the session's socket list and close. Synchronisation is by Wait-SocketConnection and
# receives with -Timeout, never by sleeping.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'A TCP connection on loopback' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'listens on an ephemeral port at <Address>, accepts a client and exchanges data both ways' -TestCases @(
        @{ Address = '127.0.0.1'; Family = 'InterNetwork' }
        @{ Address = '::1'; Family = 'InterNetworkV6' }
    ) {
        $listener = Start-SocketListener -Address $Address -Port 0
        $listener.State | Should -Be 'Listening'
        $listener.AddressFamily | Should -Be $Family
        $listener.LocalEndPoint.Port | Should -BeGreaterThan 0

        $client = Connect-Socket $Address $listener.LocalEndPoint.Port -Timeout 5
        $server = Wait-SocketConnection -Listener $listener -Timeout 5

        $client.State | Should -Be 'Connected'
        $server.State | Should -Be 'Connected'
        $server.RemoteEndPoint.Port | Should -Be $client.LocalEndPoint.Port
        $client.RemoteEndPoint.Port | Should -Be $listener.LocalEndPoint.Port

        Send-SocketData $client 'ping'
        Receive-SocketData $server -Count 4 -Timeout 5 | Should -BeExactly 'ping'
        Send-SocketData $server 'pong'
        Receive-SocketData $client -Count 4 -Timeout 5 | Should -BeExactly 'pong'

        $client.BytesSent | Should -Be 4
        $client.BytesReceived | Should -Be 4
        $server.BytesSent | Should -Be 4
        $server.BytesReceived | Should -Be 4
    }
}

Describe 'Receive-SocketData' {
    BeforeEach {
        $pair = New-LoopbackPair
        $client = $pair.Client
        $server = $pair.Server
    }

    AfterEach {
        Get-Socket | Close-Socket
    }

    Context '-Count' {
        It 'waits for bytes that arrive after it started, keeping what came before' {
            Send-SocketData $client 'abc'
            { Receive-SocketData $server -Count 8 -Timeout 0.2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand'
            $server.BytesBuffered | Should -Be 3

            Send-SocketData $client 'defgh'
            Receive-SocketData $server -Count 8 -Timeout 5 | Should -BeExactly 'abcdefgh'
            $server.BytesBuffered | Should -Be 0
        }

        It 'loops over as many reads as it takes to get 4 MiB sent concurrently' {
            $size = 4MB
            $data = [byte[]]::new($size)
            [System.Random]::new(5432).NextBytes($data)
            # A raw .NET write on the client's OS socket runs while the cmdlet receives.
            $stream = [System.Net.Sockets.NetworkStream]::new($client.Socket, $false)
            try {
                $writing = $stream.WriteAsync($data, 0, $data.Length)
                $received = Receive-SocketData $server -Count $size -AsByteArray -Timeout 30
                $writing.Wait(5000) | Should -BeTrue
            }
            finally {
                $stream.Dispose()
            }

            $received.Length | Should -Be $size
            [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($received)) |
                Should -BeExactly ([System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($data)))
        }

        It 'leaves the bytes past the count buffered for the next receive' {
            Send-SocketData $client 'hello world'
            Receive-SocketData $server -Count 5 -Timeout 5 | Should -BeExactly 'hello'
            $server.BytesBuffered | Should -Be 6
            Receive-SocketData $server -Count 6 -Timeout 5 | Should -BeExactly ' world'
        }
    }

    Context '-Line' {
        It 'returns one line at a time and keeps the rest buffered' {
            Send-SocketData $client "a`nb`nc"

            Receive-SocketData $server -Line -Timeout 5 | Should -BeExactly 'a'
            $server.BytesBuffered | Should -Be 3
            Receive-SocketData $server -Line -Timeout 5 | Should -BeExactly 'b'
            Receive-SocketData $server -Count 1 -Timeout 5 | Should -BeExactly 'c'
            $server.BytesBuffered | Should -Be 0
        }
    }

    Context '-AsByteArray' {
        It 'returns a [byte[]] holding exactly the bytes 0..255 sent <How>' -TestCases @(
            @{ How = 'as one byte array'; Pipeline = $false }
            @{ How = 'as single bytes from the pipeline'; Pipeline = $true }
        ) {
            $expected = [byte[]](0..255)
            if ($Pipeline) {
                $expected | Send-SocketData $client
            }
            else {
                Send-SocketData $client $expected
            }

            $bytes = Receive-SocketData $server -Count 256 -AsByteArray -Timeout 5

            $bytes.GetType().FullName | Should -Be 'System.Byte[]'
            $bytes.Length | Should -Be 256
            [System.Convert]::ToHexString($bytes) | Should -BeExactly ([System.Convert]::ToHexString($expected))
        }
    }

    Context 'text (the default)' {
        It 'decodes a UTF-8 character split across two sends whole (split after byte <Split>)' -TestCases @(
            @{ Split = 1; First = ''; Second = "`u{e9}`u{20ac}" }
            @{ Split = 2; First = "`u{e9}"; Second = "`u{20ac}" }
            @{ Split = 3; First = "`u{e9}"; Second = "`u{20ac}" }
            @{ Split = 4; First = "`u{e9}"; Second = "`u{20ac}" }
        ) {
            # e-acute (2 bytes) then the euro sign (3 bytes): C3 A9 E2 82 AC
            $utf8 = [System.Text.Encoding]::UTF8.GetBytes("`u{e9}`u{20ac}")
            $utf8.Length | Should -Be 5

            Send-SocketData $client ([byte[]] $utf8[0..($Split - 1)])
            # Whatever whole characters arrived; an incomplete one is held back, not returned.
            $got = Receive-SocketData $server -Timeout 0.2 -ErrorAction SilentlyContinue -ErrorVariable timedOut
            Send-SocketData $client ([byte[]] $utf8[$Split..4])
            $rest = Receive-SocketData $server -Timeout 5

            "$got" | Should -BeExactly $First
            $rest | Should -BeExactly $Second
            if ($First -eq '') {
                $timedOut.FullyQualifiedErrorId | Should -Be 'OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand'
            }
            "$got$rest".Contains([char] 0xFFFD) | Should -BeFalse
            $server.BytesBuffered | Should -Be 0
        }
    }

    Context '-Timeout' {
        It 'fails with OperationTimeout when nothing arrives, and a later receive gets what is sent afterwards' {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $err = { Receive-SocketData $server -Timeout 0.2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand' -PassThru
            $watch.Stop()

            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err.TargetObject.Id | Should -Be $server.Id
            $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.1
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2

            Send-SocketData $client 'late'
            Receive-SocketData $server -Timeout 5 | Should -BeExactly 'late'
        }
    }

    Context 'after the peer closed' {
        It 'fails with PeerClosed once the buffered bytes are read' {
            Send-SocketData $client 'last words'
            Close-Socket $client

            Receive-SocketData $server -ToEnd -Timeout 5 | Should -BeExactly 'last words'
            $err = { Receive-SocketData $server -Timeout 5 -ErrorAction Stop } |
                Should -Throw -ErrorId 'PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ConnectionError'
            $err.TargetObject.Id | Should -Be $server.Id
            $server.State | Should -Be 'ReceiveShutdown'
        }

        It 'fails with PeerClosed when a -Count cannot be completed' {
            Send-SocketData $client 'abc'
            Close-Socket $client

            { Receive-SocketData $server -Count 10 -Timeout 5 -ErrorAction Stop } |
                Should -Throw -ErrorId 'PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand'
            $server.BytesBuffered | Should -Be 3
        }
    }
}

Describe 'Disconnect-Socket -Direction Send' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'lets the other side read -ToEnd while the first side can still receive' {
        $pair = New-LoopbackPair
        $client = $pair.Client
        $server = $pair.Server

        Send-SocketData $client 'GET / HTTP/1.0'
        Disconnect-Socket $client -Direction Send
        $client.State | Should -Be 'SendShutdown'

        Receive-SocketData $server -ToEnd -Timeout 5 | Should -BeExactly 'GET / HTTP/1.0'
        Send-SocketData $server 'HTTP/1.0 200 OK'
        Disconnect-Socket $server

        Receive-SocketData $client -ToEnd -Timeout 5 | Should -BeExactly 'HTTP/1.0 200 OK'
        { Send-SocketData $client 'more' -ErrorAction Stop } |
            Should -Throw -ErrorId 'SocketShutdown,PsSockets.Commands.SendSocketDataCommand'
    }
}

Describe 'Select-Socket' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'returns an empty result (TimedOut) after -Timeout 0.1 when nothing is pending' {
        $listener = Start-SocketListener -Port 0

        $result = Select-Socket -Read $listener -Timeout 0.1

        $result.TimedOut | Should -BeTrue
        $result.Read | Should -BeNullOrEmpty
        $result.Write | Should -BeNullOrEmpty
        $result.Error | Should -BeNullOrEmpty
    }

    It 'returns the listener in .Read once a client connected' {
        $listener = Start-SocketListener -Port 0
        $client = Connect-Socket 127.0.0.1 $listener.LocalEndPoint.Port -Timeout 5

        $result = Select-Socket -Read $listener -Timeout 5

        $result.TimedOut | Should -BeFalse
        $result.Read | Should -HaveCount 1
        $result.Read[0].Id | Should -Be $listener.Id
        $server = Wait-SocketConnection -Listener $listener -Timeout 5
        $server.RemoteEndPoint.Port | Should -Be $client.LocalEndPoint.Port
    }

    It 'returns a connected socket in .Read once data arrived for it' {
        $pair = New-LoopbackPair

        (Select-Socket -Read $pair.Server -Timeout 0.1).TimedOut | Should -BeTrue
        Send-SocketData $pair.Client 'x'
        $result = Select-Socket -Read $pair.Server -Timeout 5

        $result.Read | Should -HaveCount 1
        $result.Read[0].Id | Should -Be $pair.Server.Id
    }
}

Describe 'Get-Socket' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'lists the open sockets, oldest first, and forgets closed ones' {
        Get-Socket | Should -BeNullOrEmpty
        $pair = New-LoopbackPair

        (Get-Socket).Id | Should -Be @($pair.Listener.Id, $pair.Client.Id, $pair.Server.Id)

        Close-Socket $pair.Client
        (Get-Socket).Id | Should -Be @($pair.Listener.Id, $pair.Server.Id)
        Get-Socket -Id $pair.Client.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        Get-Socket | Close-Socket
        Get-Socket | Should -BeNullOrEmpty
    }
}

Describe 'Close-Socket' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'is harmless when called twice' {
        $pair = New-LoopbackPair

        { Close-Socket $pair.Client -ErrorAction Stop; Close-Socket $pair.Client -ErrorAction Stop } | Should -Not -Throw
        { $pair.Client | Close-Socket -ErrorAction Stop } | Should -Not -Throw
        $pair.Client.State | Should -Be 'Closed'
        $pair.Client.IsClosed | Should -BeTrue
    }
}
