@{
    RootModule           = 'PsSockets.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d7c1f0e-8f4a-4c51-9a36-2f0b8e6c4a11'
    Author               = 'PsSockets contributors'
    CompanyName          = 'PsSockets'
    Copyright            = '(c) PsSockets contributors. MIT License.'
    Description          = 'Every BSD socket primitive as a PowerShell cmdlet: socket, bind, listen, accept, connect, send, recv, select, shutdown and close, with TLS, UDP, unix sockets, proxies and parallel network checks for Pester; scriptable, pipeable, testable and always interruptible.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('PsSockets.Format.ps1xml')
    CmdletsToExport      = @(
        'New-Socket'
        'New-SocketPair'
        'Connect-Socket'
        'Protect-Socket'
        'Start-SocketListener'
        'Wait-SocketConnection'
        'Get-SocketServer'
        'Stop-SocketServer'
        'Send-SocketData'
        'Receive-SocketData'
        'Invoke-SocketRequest'
        'Invoke-SocketReplay'
        'Select-Socket'
        'Disconnect-Socket'
        'Enter-SocketSession'
        'Close-Socket'
        'Get-Socket'
        'Get-SocketTrace'
        'Enable-SocketTrace'
        'Disable-SocketTrace'
        'Clear-SocketTrace'
        'Get-SocketOption'
        'Set-SocketOption'
        'Resolve-SocketAddress'
        'ConvertTo-SocketBytes'
        'ConvertFrom-SocketBytes'
        'Start-SocketRelay'
        'Stop-SocketRelay'
        'Get-SocketRelay'
        'Test-SocketConnection'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('socket', 'network', 'tcp', 'udp', 'tls', 'bsd', 'select', 'netcat', 'proxy', 'pester', 'Linux', 'Windows', 'MacOS', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://github.com/pssockets/PsSockets'
            ReleaseNotes = 'The TCP life cycle, framing, UDP and unix sockets, options, select at scale, handler servers and relays, TLS (client, server, STARTTLS, mutual TLS), proxies and Test-SocketConnection. See CHANGELOG.md.'
        }
    }
}
