# The per-socket trace as a person reads it and as a test keeps it: the conversation view, the statistics of
# Get-Socket | Format-List, and traces that survive Export-Clixml and ConvertTo-Json with every byte.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"

    function New-TracedConversation {
        $pair = New-LoopbackPair
        Enable-SocketTrace $pair.Client
        Send-SocketData $pair.Client "GET / HTTP/1.0`r`n`r`n"
        $null = Receive-SocketData $pair.Server -Delimiter "`r`n`r`n" -Timeout 5
        Send-SocketData $pair.Server ([byte[]](0x48, 0x54, 0x54, 0x50, 0, 1, 2, 0xff))
        Close-Socket $pair.Server
        $null = Receive-SocketData $pair.Client -ToEnd -Timeout 5
        $pair.Client
    }
}

AfterAll {
    Disable-SocketTrace
    Get-Socket | Close-Socket
}

Describe 'A socket trace' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'reads as a conversation: arrows, text where printable, \xNN where not' {
        $c = New-TracedConversation
        $shown = Get-SocketTrace $c | Out-String -Width 80

        $shown | Should -Match "-->\s+18 GET / HTTP/1\.0\\r\\n\\r\\n"
        $shown | Should -Match '<--\s+8 HTTP\\x00\\x01\\x02\\xff'
        $shown | Should -Match '<--\s+0 \(end of stream\)'
    }

    It 'shows the bytes as hexdump -C does with the Hex view' {
        $c = New-TracedConversation
        $shown = Get-SocketTrace $c -Event Receive | Format-List -View Hex | Out-String

        $shown | Should -Match '00000000  48 54 54 50 00 01 02 ff\s+\|HTTP\.\.\.\.\|'
    }

    It 'survives Export-Clixml: the same bytes and the same view' {
        $c = New-TracedConversation
        $file = Join-Path ([IO.Path]::GetTempPath()) "pssockets-trace-$([guid]::NewGuid()).xml"
        try {
            $trace = Get-SocketTrace $c
            $trace | Export-Clixml $file
            $imported = Import-Clixml $file

            $imported | Should -HaveCount $trace.Count
            for ($i = 0; $i -lt $trace.Count; $i++) {
                [byte[]]$imported[$i].Data | Should -Be $trace[$i].Data
                [PsSockets.SocketTraceEvent]$imported[$i].Event | Should -Be $trace[$i].Event
            }
            ($imported | Out-String) | Should -Be ($trace | Out-String)
        }
        finally {
            Remove-Item $file -ErrorAction SilentlyContinue
        }
    }

    It 'survives ConvertTo-Json: every field, the bytes as numbers' {
        $c = New-TracedConversation
        $trace = Get-SocketTrace $c
        $json = $trace | ConvertTo-Json -Depth 3 | ConvertFrom-Json

        $json | Should -HaveCount $trace.Count
        for ($i = 0; $i -lt $trace.Count; $i++) {
            [byte[]]$json[$i].Data | Should -Be $trace[$i].Data
            [PsSockets.SocketTraceEvent]$json[$i].Event | Should -Be $trace[$i].Event
            $json[$i].Sequence | Should -Be $trace[$i].Sequence
            $json[$i].Text | Should -BeExactly $trace[$i].Text
        }
    }

    It 'stays within its budget and says what it dropped' {
        $pair = New-LoopbackPair
        Enable-SocketTrace $pair.Client -Limit 1KB
        1..100 | ForEach-Object { Send-SocketData $pair.Client ('x' * 100) }

        $pair.Client.Trace.Cost | Should -BeLessOrEqual 1KB
        $pair.Client.Trace.Dropped | Should -BeGreaterThan 0
        $kept = Get-SocketTrace $pair.Client -WarningVariable dropped -WarningAction SilentlyContinue
        $kept[-1].Sequence | Should -Be $pair.Client.Trace.Recorded
        $dropped | Should -Match 'dropped its \d+ oldest entries'
    }
}

Describe 'Socket statistics' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'are shown by Get-Socket | Format-List' {
        $pair = New-LoopbackPair
        Send-SocketData $pair.Client ('y' * 5000) -LengthPrefix 2
        $null = Receive-SocketData $pair.Server -LengthPrefix 2 -Timeout 5
        Send-SocketData $pair.Client "one`ntwo`n"
        $null = Receive-SocketData $pair.Server -Line -Timeout 5

        $shown = Get-Socket -Id $pair.Server.Id | Format-List | Out-String
        $shown | Should -Match 'Receives\s+: [1-9]'
        $shown | Should -Match 'BytesReceived\s+: 5010'
        $shown | Should -Match 'BytesBuffered\s+: 4'
        $shown | Should -Match 'LargestMessage\s+: 5002'
        $shown | Should -Match 'BlockedTime\s+: \d+\.\d ms'
        $shown | Should -Match 'Trace\s+: off'
    }
}
