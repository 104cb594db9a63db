# Files on the wire: Send-SocketData -Path (sendfile) and Receive-SocketData -OutFile, compared by
# SHA-256 with Get-FileHash; and the hex view compared with what hexdump -C prints.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'Files over a loopback connection' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'sends a file with -Path and receives it with -OutFile, byte for byte' {
        $source = Join-Path $TestDrive 'source.bin'
        $copy = Join-Path $TestDrive 'copy.bin'
        $bytes = [byte[]]::new(3MB)
        [Random]::new(3).NextBytes($bytes)
        [IO.File]::WriteAllBytes($source, $bytes)
        $pair = New-LoopbackPair

        # The sender runs in a parallel runspace (a job) so the receiver can drain while it sends.
        $module = $PsSocketsModulePath; $client = $pair.Client
        $job = $source | ForEach-Object -AsJob -Parallel {
            Import-Module $using:module
            Send-SocketData $using:client -Path $_ -Timeout 30
            Disconnect-Socket $using:client -Direction Send
        }
        $file = Receive-SocketData $pair.Server -ToEnd -OutFile $copy -Timeout 30 -PassThru
        $job | Wait-Job -Timeout 30 | Receive-Job -ErrorAction Stop

        $file.Length | Should -Be 3MB
        (Get-FileHash $copy).Hash | Should -Be (Get-FileHash $source).Hash
    }

    It 'leaves bytes past -Count buffered for the next receive' {
        $copy = Join-Path $TestDrive 'count.bin'
        $pair = New-LoopbackPair
        Send-SocketData $pair.Client "0123456789next`n"

        Receive-SocketData $pair.Server -Count 10 -OutFile $copy -Timeout 5
        Get-Content $copy -Raw | Should -Be '0123456789'
        Receive-SocketData $pair.Server -Line -Timeout 5 | Should -Be 'next'
    }

    It 'refuses -PassThru without -OutFile, before receiving anything' {
        $pair = New-LoopbackPair
        Send-SocketData $pair.Client 'x'

        { Receive-SocketData $pair.Server -Count 1 -PassThru -ErrorAction Stop } |
            Should -Throw -ErrorId 'PassThruWithoutOutFile,PsSockets.Commands.ReceiveSocketDataCommand'
        Receive-SocketData $pair.Server -Count 1 -Timeout 5 | Should -Be 'x'
    }

    It 'shows bytes as hexdump -C does' {
        $pair = New-LoopbackPair
        Send-SocketData $pair.Client "Hello, world!`n"

        $dump = Receive-SocketData $pair.Server -Count 14 -AsHexDump -Timeout 5
        $dump | Should -Be @(
            '00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a        |Hello, world!.|'
            '0000000e'
        )
    }
}
