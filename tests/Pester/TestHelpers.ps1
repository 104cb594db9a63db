# Helpers shared by the PsSockets *.Tests.ps1 files. Dot-source it from a BeforeAll block after
# importing the module; it is not a test file itself (Pester only runs *.Tests.ps1).

# The module folder the build assembles, for tests that import it into a runspace of their own.
$PsSocketsModulePath = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'out', 'PsSockets'))

function New-LoopbackPair {
    <#
    .SYNOPSIS
    A connected TCP pair on loopback: the listener (ephemeral port), the client, and the server
    side that the listener accepted.
    #>
    param([string] $Address = '127.0.0.1')

    $listener = Start-SocketListener -Address $Address -Port 0 -ErrorAction Stop
    $client = Connect-Socket $Address $listener.LocalEndPoint.Port -Timeout 5 -ErrorAction Stop
    $server = Wait-SocketConnection -Listener $listener -Timeout 5 -ErrorAction Stop
    [pscustomobject]@{ Listener = $listener; Client = $client; Server = $server }
}

function Get-ClosedLoopbackPort {
    <#
    .SYNOPSIS
    A 127.0.0.1 port nothing listens on: a listener takes an ephemeral port and closes again.
    #>
    $listener = Start-SocketListener -Port 0 -ErrorAction Stop
    $port = $listener.LocalEndPoint.Port
    Close-Socket $listener
    $port
}
