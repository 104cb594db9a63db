# The module as a whole: what the manifest exports, and the design's "must read naturally" example.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'The PsSockets module' {
    It 'is the one the build assembled in out/PsSockets' {
        $module = Get-Module -Name PsSockets
        $module | Should -HaveCount 1
        [System.IO.Path]::GetFullPath($module.ModuleBase).TrimEnd('/', '\') | Should -Be $PsSocketsModulePath.TrimEnd('/', '\')
    }

    It 'exports exactly the cmdlets that exist' {
        $expected = @(
            'Clear-SocketTrace'
            'Close-Socket'
            'Connect-Socket'
            'ConvertFrom-SocketBytes'
            'ConvertTo-SocketBytes'
            'Disable-SocketTrace'
            'Disconnect-Socket'
            'Enable-SocketTrace'
            'Enter-SocketSession'
            'Get-Socket'
            'Get-SocketOption'
            'Get-SocketRelay'
            'Get-SocketServer'
            'Get-SocketTrace'
            'Invoke-SocketReplay'
            'Invoke-SocketRequest'
            'New-Socket'
            'New-SocketPair'
            'Protect-Socket'
            'Receive-SocketData'
            'Resolve-SocketAddress'
            'Select-Socket'
            'Send-SocketData'
            'Set-SocketOption'
            'Start-SocketListener'
            'Start-SocketRelay'
            'Stop-SocketRelay'
            'Stop-SocketServer'
            'Test-SocketConnection'
            'Wait-SocketConnection'
        )
        $module = Get-Module -Name PsSockets
        [string[]] $exported = $module.ExportedCmdlets.Keys
        [System.Array]::Sort($exported, [System.StringComparer]::Ordinal)

        $exported | Should -BeExactly $expected
        $module.ExportedFunctions.Keys | Should -HaveCount 0
        $module.ExportedAliases.Keys | Should -HaveCount 0
        $module.ExportedVariables.Keys | Should -HaveCount 0
    }

    It 'lists the same cmdlets in its manifest' {
        $manifest = Test-ModuleManifest -Path ([System.IO.Path]::Combine($PsSocketsModulePath, 'PsSockets.psd1')) -ErrorAction Stop
        [string[]] $listed = $manifest.ExportedCmdlets.Keys
        [string[]] $loaded = (Get-Module -Name PsSockets).ExportedCmdlets.Keys
        [System.Array]::Sort($listed, [System.StringComparer]::Ordinal)
        [System.Array]::Sort($loaded, [System.StringComparer]::Ordinal)

        $listed | Should -HaveCount 30
        $listed | Should -BeExactly $loaded
    }
}

Describe 'The design example ("what must read naturally")' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'runs verbatim and gives hello, one, then two and a newline' {
        $output = & {
            $l = Start-SocketListener -Port 0                       # loopback, ephemeral port
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $s = Wait-SocketConnection -Listener $l -Timeout 5
            Send-SocketData $c "hello"
            Receive-SocketData $s -Count 5                          # hello
            "one`n", "two`n" | Send-SocketData $c
            Receive-SocketData $s -Line                             # one
            Disconnect-Socket $c -Direction Send                    # I'm done sending, still listening
            Receive-SocketData $s -ToEnd                            # two`n  (then the peer's EOF)
            Get-Socket | Close-Socket
        }

        $output | Should -BeExactly @('hello', 'one', "two`n")
        Get-Socket | Should -BeNullOrEmpty
    }
}
