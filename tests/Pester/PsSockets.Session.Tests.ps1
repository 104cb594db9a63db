# Enter-SocketSession with piped input: the lines are sent, the answer comes back as lines until the peer is
# quiet for -Timeout or closes, binary as hex-dump lines. The keyboard session is driven in a terminal by the
# xunit suite (EnterSocketSessionShellTests); here, a runspace with no keys gets the clear error instead.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
    $sessionPeer = [System.IO.Path]::Combine($PSScriptRoot, '..', 'PsSockets.Tests', 'peers', 'session_peer.py')

    function Start-SessionPeer {
        param([string[]] $ArgumentList = @())
        $peer = Start-Peer python3 (@('-u', $sessionPeer) + $ArgumentList) { param($line) $line -like 'LISTENING *' }
        [pscustomobject]@{ Process = $peer.Process; Output = $peer.Output; Port = [int]$peer.Line.Split(' ')[1] }
    }

    # A runspace with the module and no host: no keys to read, as in a service or a hosted engine.
    $sessionState = [initialsessionstate]::CreateDefault2()
    $sessionState.ImportPSModule([string[]] @($PsSocketsModulePath))
    $runspace = [runspacefactory]::CreateRunspace($sessionState)
    $runspace.Open()
}

AfterAll {
    if ($runspace) {
        $runspace.Dispose()
    }
    Get-Socket | Close-Socket
}

Describe 'Enter-SocketSession with piped input' {
    AfterEach {
        if ($peer) { Stop-Peer $peer }
        Get-Socket | Close-Socket
    }

    It 'sends each line with CRLF and returns the replies, binary as a hex dump, until the peer is quiet' {
        $peer = Start-SessionPeer
        $socket = Connect-Socket 127.0.0.1 $peer.Port -Timeout 5

        $reply = 'hi', 'BIN' | Enter-SocketSession $socket -NewLine CRLF -Timeout 0.5

        $reply | Should -Be @(
            'hello from the peer'
            'you said: hi'
            '00000000  00 01 02 ff 62 69 6e 1b                           |....bin.|'
            '00000008'
        )
        Wait-PeerLine $peer GOT | Should -Be "b'hi\r\n'"
        $socket.State | Should -Be 'Connected' # a socket handed in stays open
    }

    It 'ends as soon as the peer closes, and -Close closes the socket' {
        $peer = Start-SessionPeer
        $socket = Connect-Socket 127.0.0.1 $peer.Port -Timeout 5

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $reply = 'BYE' | Enter-SocketSession $socket -Timeout 30 -Close

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $reply | Should -Be @('hello from the peer', 'bye')
        $socket.State | Should -Be 'Closed'
        @(Get-Socket).Count | Should -Be 0
    }

    It 'on UDP sends each line as a datagram and returns each answer' {
        $peer = Start-SessionPeer -ArgumentList udp
        $udp = Connect-Socket -Udp 127.0.0.1 $peer.Port

        'one', 'two' | Enter-SocketSession $udp -Timeout 0.5 | Should -Be @('you said: one', 'you said: two')
    }
}

Describe 'Enter-SocketSession refusals and Ctrl+C' {
    BeforeEach {
        $shell = [powershell]::Create()
        $shell.Runspace = $runspace
    }

    AfterEach {
        $shell.Dispose()
        $cleanup = [powershell]::Create()
        $cleanup.Runspace = $runspace
        $null = $cleanup.AddScript('Get-Socket | Close-Socket').Invoke()
        $cleanup.Dispose()
    }

    It 'tells a host that cannot read keys to pipe the lines instead' {
        $null = $shell.AddScript('
            $l = Start-SocketListener -Port 0
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            Enter-SocketSession $c')
        $null = $shell.Invoke()

        $shell.Streams.Error.Count | Should -Be 1
        $shell.Streams.Error[0].FullyQualifiedErrorId | Should -Be 'HostCannotReadKeys,PsSockets.Commands.EnterSocketSessionCommand'
        $shell.Streams.Error[0].Exception.Message | Should -BeLike '*Pipe the lines to send instead*'
    }

    It 'stops a session waiting for its peer within 2 s (Ctrl+C) and closes the connection it accepted' {
        $null = $shell.AddScript('
            $l = Start-SocketListener -Port 0
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            "waiting" | Enter-SocketSession $l -Timeout 60')
        $pending = $shell.BeginInvoke()
        $pending.AsyncWaitHandle.WaitOne(500) | Should -BeFalse # the peer says nothing: the session waits

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $shell.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2

        $check = [powershell]::Create()
        $check.Runspace = $runspace
        $left = $check.AddScript('@(Get-Socket).Count; $l.State; $c.State').Invoke()
        $check.Dispose()
        $left[0] | Should -Be 2 # the listener and the client; the accepted connection is gone
        "$($left[1])" | Should -Be 'Listening'
    }
}
