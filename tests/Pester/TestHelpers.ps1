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

function Start-Peer {
    <#
    .SYNOPSIS
    Starts a program that prints a line once it listens; returns the process once that line came,
    with the line and the reader it came from. Its stdin stays open for peers that wait to be told.
    #>
    param([string] $FilePath, [string[]] $ArgumentList, [scriptblock] $Ready, [switch] $FromStandardError)
    $start = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.RedirectStandardInput = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $reader = if ($FromStandardError) { $process.StandardError } else { $process.StandardOutput }
    while ($null -ne ($line = $reader.ReadLine())) {
        if (& $Ready $line) { return [pscustomobject]@{ Process = $process; Line = $line; Output = $reader } }
    }
    $process.Kill($true)
    throw "$FilePath $ArgumentList did not start listening"
}

function Start-MisbehavingPeer {
    <#
    .SYNOPSIS
    The suite's fault injector (tests/PsSockets.Tests/peers/misbehaving_peer.py): listens on 127.0.0.1,
    accepts one client, then runs the steps (stall, reset, drip, truncate, ...; see its docstring).
    Wait-PeerLine waits for the line a step prints; Resume-Peer ends a stall.
    #>
    param([string[]] $Step)
    $script = [System.IO.Path]::Combine($PSScriptRoot, '..', 'PsSockets.Tests', 'peers', 'misbehaving_peer.py')
    $peer = Start-Peer python3 (@('-u', $script) + $Step) { param($line) $line -like 'LISTENING *' }
    [pscustomobject]@{ Process = $peer.Process; Output = $peer.Output; Port = [int]$peer.Line.Split(' ')[1] }
}

function Wait-PeerLine {
    # The peer's next line, which must start with $Word; its words after that.
    param($Peer, [string] $Word)
    $line = $Peer.Output.ReadLine()
    if ($line -notlike "$Word*") { throw "The peer said '$line', not $Word." }
    , @($line.Split(' ') | Select-Object -Skip 1)
}

function Resume-Peer {
    param($Peer)
    $Peer.Process.StandardInput.WriteLine('go')
    $Peer.Process.StandardInput.Flush()
}

function Stop-Peer {
    param($Peer)
    $Peer.Process.Kill($true)
    $Peer.Process.Dispose()
}
