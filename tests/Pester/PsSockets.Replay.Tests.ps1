# Invoke-SocketReplay as a Pester assertion: a conversation recorded with -Trace, kept in a file (Export-Clixml or
# ConvertTo-Json) and read back, replayed against the server that answered it and against one that changed an
# answer. The servers are handler servers on loopback; synchronisation is by the replay's own timeouts.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"

    function Start-LineServer {
        # Answers each line: VERSION with $Version, anything else with ECHO <line>; QUIT with BYE, then it closes.
        param([string] $Version)
        Start-SocketListener -Port 0 -ArgumentList $Version -Handler {
            param($client, $version)
            while (($line = Receive-SocketData $client -Line -Timeout 30) -ne 'QUIT') {
                Send-SocketData $client -Line $(if ($line -eq 'VERSION') { "PROTO $version" } else { "ECHO $line" })
            }
            Send-SocketData $client -Line 'BYE'
        }
    }

    $server = Start-LineServer -Version '1.0'
    $changed = Start-LineServer -Version '1.1'
    $c = Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Timeout 5 -Trace
    foreach ($command in 'HELLO', 'VERSION', 'QUIT') { $null = Invoke-SocketRequest $c $command -Timeout 5 }
    $null = Receive-SocketData $c -ToEnd -Timeout 5
    Close-Socket $c
    $recorded = @(Get-SocketTrace $c)
}

AfterAll {
    Stop-SocketServer $server, $changed
    Get-Socket | Close-Socket
}

Describe 'Invoke-SocketReplay' {
    It 'finds nothing against the server that answered the recording' {
        Invoke-SocketReplay -Trace $recorded -ComputerName 127.0.0.1 -Port $server.LocalEndPoint.Port | Should -BeNullOrEmpty
        Get-Socket | Should -BeNullOrEmpty
    }

    It 'reports the one answer a changed server gives differently' {
        $differences = @($recorded | Invoke-SocketReplay 127.0.0.1 $changed.LocalEndPoint.Port)
        $differences.Count | Should -Be 1
        $differences[0].Message | Should -Be 4
        $differences[0].Outcome | Should -Be 'Different'
        $differences[0].Offset | Should -Be 8
        $differences[0].ExpectedText | Should -BeExactly 'PROTO 1.0\n'
        $differences[0].ActualText | Should -BeExactly 'PROTO 1.1\n'
    }

    It 'replays a trace read back with Import-Clixml' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "replay-$([guid]::NewGuid()).xml"
        try {
            $recorded | Export-Clixml $file
            $imported = Import-Clixml $file
            $imported[0].pstypenames[0] | Should -Be 'Deserialized.PsSockets.SocketTraceEntry'
            $imported | Invoke-SocketReplay 127.0.0.1 $server.LocalEndPoint.Port | Should -BeNullOrEmpty
            (Import-Clixml $file | Invoke-SocketReplay 127.0.0.1 $changed.LocalEndPoint.Port).Message | Should -Be 4
        }
        finally {
            Remove-Item $file -ErrorAction SilentlyContinue
        }
    }

    It 'replays a trace read back with ConvertFrom-Json (<Case>)' -TestCases @(
        @{ Case = 'enums as numbers, bytes as numbers'; RoundTrip = { $recorded | ConvertTo-Json | ConvertFrom-Json } }
        @{ Case = 'enums as names'; RoundTrip = { $recorded | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json } }
        @{ Case = 'bytes cut at -Depth, read from Text'; RoundTrip = { (@{ Entries = $recorded } | ConvertTo-Json -Depth 2 -WarningAction SilentlyContinue | ConvertFrom-Json).Entries } }
    ) {
        $entries = & $RoundTrip
        $entries.Count | Should -Be $recorded.Count
        $entries | Invoke-SocketReplay 127.0.0.1 $server.LocalEndPoint.Port | Should -BeNullOrEmpty
        ($entries | Invoke-SocketReplay 127.0.0.1 $changed.LocalEndPoint.Port).ActualText | Should -BeExactly 'PROTO 1.1\n'
    }

    It 'writes every message with -IncludeEqual, the server''s close last' {
        $report = Invoke-SocketReplay -Trace $recorded 127.0.0.1 $server.LocalEndPoint.Port -IncludeEqual
        $report.Message | Should -Be (1..7)
        $report.Outcome | Should -Be @('Sent', 'Equal', 'Sent', 'Equal', 'Sent', 'Equal', 'Equal')
        $report[-1].EndOfStream | Should -BeTrue
    }

    It 'fails, never passes quietly, when there is nothing to replay or no server' {
        { Invoke-SocketReplay -Trace @() 127.0.0.1 $server.LocalEndPoint.Port } |
            Should -Throw -ErrorId 'EmptyTrace,PsSockets.Commands.InvokeSocketReplayCommand'
        { Invoke-SocketReplay -Trace $recorded 127.0.0.1 (Get-ClosedLoopbackPort) } |
            Should -Throw -ErrorId 'ConnectionRefused,PsSockets.Commands.InvokeSocketReplayCommand'
    }
}
