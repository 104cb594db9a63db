<#
.SYNOPSIS
    An echo (or chat) server that serves many clients at once from one thread, with Select-Socket.

.DESCRIPTION
    The seeds' select() server: the listener and every client are non-blocking, and one loop asks
    Select-Socket which of them are ready, then does only what will not wait:

    - the listener is readable: accept every connection that is waiting;
    - a client is readable: receive what it sent, and echo it back (or, with -Chat, send each whole
      line to every other client);
    - a client is writable: send what is still queued for it. A send that finds the client's buffer
      full sends what fits and keeps the rest queued (Send-SocketData says how many bytes went), so a
      client that does not read never holds up the others;
    - a client is in Error (it reset the connection, or failed): it is closed and forgotten, as is a
      client that closed its side.

    It uses only PsSockets cmdlets and PowerShell's core cmdlets, so it runs in pwsh with the module
    imported and in the PsSockets shell:

        dotnet run --project src/PsSockets.Shell -- -File examples/select-server.ps1 -Port 7000

    and from other terminals: `ncat 127.0.0.1 7000`, `socat - TCP:127.0.0.1:7000`. It serves until
    Ctrl+C, until -MaxClients clients have come and gone, or until no client has been connected for
    -IdleTimeout seconds, then closes every socket and prints one summary line. -Verbose prints a
    line as each client comes and goes.

    -Listener serves on a listening socket made beforehand (Start-SocketListener), for instance in
    another runspace, so that clients can connect before the server runs.
#>
[CmdletBinding(DefaultParameterSetName = 'Port')]
param(
    # The TCP port to listen on; 0 takes a free one (the first line printed says which).
    [Parameter(ParameterSetName = 'Port')]
    [ValidateRange(0, 65535)]
    [int] $Port = 0,

    # The address to listen on: loopback unless you choose to expose the server.
    [Parameter(ParameterSetName = 'Port')]
    [System.Net.IPAddress] $Address = [System.Net.IPAddress]::Loopback,

    # A listening socket to serve on instead; it is made non-blocking, and closed when the server stops.
    [Parameter(Mandatory, ParameterSetName = 'Listener')]
    [PsSockets.PsSocket] $Listener,

    # Each whole line a client sends goes to every other client, as "<client id>: <line>".
    [switch] $Chat,

    # Stop once this many clients have connected and gone.
    [ValidateRange(1, [int]::MaxValue)]
    [int] $MaxClients,

    # Stop once no client has been connected for this many seconds.
    [ValidateRange(0.0, 2000000.0)]
    [double] $IdleTimeout
)

$ErrorActionPreference = 'Stop'
$clients = [System.Collections.Generic.List[object]]::new()  # the connected clients, in arrival order
$queued = @{}                                                # client -> the bytes not sent to it yet
$served = 0                                                  # clients that came and went
$dropped = 0                                                 # of those, the ones that failed (a reset, a broken send)
$bytesIn = 0                                                 # what the clients that left had sent

function Join-Bytes([byte[]] $first, [byte[]] $second) {
    $joined = [byte[]]::new($first.Length + $second.Length)
    [Array]::Copy($first, $joined, $first.Length)
    [Array]::Copy($second, 0, $joined, $first.Length, $second.Length)
    , $joined
}

function Remove-Client($client, [string] $why, [switch] $Failed) {
    if ($clients.Remove($client)) {
        $script:served++
        if ($Failed) { $script:dropped++ }
        $script:bytesIn += $client.BytesReceived
        $queued.Remove($client)
        Close-Socket $client -Abort:$Failed -Verbose:$false
        $PSCmdlet.WriteVerbose("client $($client.Id) gone: $why ($($clients.Count) connected)")
    }
}

# Sends what is queued for the client: all of it, or what its buffer takes, keeping the rest.
function Send-Queued($client) {
    $data = $queued[$client]
    try {
        Send-SocketData $client $data
        $queued.Remove($client)
    }
    catch {
        $problem = $_.Exception
        if ($problem -is [PsSockets.SocketOperationException] -and $problem.Failure -eq 'WouldBlock') {
            $sent = [int]$problem.BytesSent
            $queued[$client] = [System.ArraySegment[byte]]::new($data, $sent, $data.Length - $sent).ToArray()
        }
        else {
            Remove-Client $client "send failed: $($problem.Message)" -Failed
        }
    }
}

function Send-ToClient($client, [byte[]] $data) {
    $queued[$client] = if ($queued.ContainsKey($client)) { Join-Bytes $queued[$client] $data } else { $data }
    Send-Queued $client
}

function Receive-FromClient($client) {
    try {
        if ($Chat) {
            # Whole lines only; a part line stays buffered until its end comes.
            foreach ($line in @(Receive-SocketData $client -Line -Continuous -Verbose:$false)) {
                $message = [System.Text.Encoding]::UTF8.GetBytes("$($client.Id): $line`n")
                foreach ($other in @($clients)) {
                    if ($other -ne $client) { Send-ToClient $other $message }
                }
            }
            if ($client.PeerClosed) { Remove-Client $client 'closed its side' }
            return
        }
        $data = Receive-SocketData $client -AsByteArray -Verbose:$false  # what is there; nothing if it would block
        if ($data) { Send-ToClient $client $data }
    }
    catch {
        $problem = $_.Exception
        if ($problem -is [PsSockets.SocketOperationException] -and $problem.Failure -eq 'PeerClosed') {
            Remove-Client $client 'closed its side'
        }
        else {
            Remove-Client $client $problem.Message -Failed
        }
    }
}

try {
    if ($Listener) {
        Set-SocketOption $Listener Blocking $false
    }
    else {
        $Listener = Start-SocketListener -Address $Address -Port $Port -Backlog 512 -Name select-server -Option @{ Blocking = $false } -Verbose:$false
    }
    "listening on $($Listener.LocalEndPoint)"
    $idle = [System.Diagnostics.Stopwatch]::StartNew()

    while ($true) {
        $watched = [object[]]@($Listener) + $clients
        $writers = @($queued.Keys)
        $ready = Select-Socket -Read $watched -Write $writers -Timeout 1

        foreach ($client in $ready.Error) {
            if ($client -eq $Listener) { throw "the listener failed: $($Listener.LastError.Message)" }
            Remove-Client $client $(if ($client.LastError) { $client.LastError.Message } else { 'closed' }) -Failed
        }
        foreach ($client in $ready.Write) {
            if ($clients.Contains($client)) { Send-Queued $client }
        }
        foreach ($socket in $ready.Read) {
            if ($socket -eq $Listener) {
                # Every connection that is waiting; non-blocking, the call returns nothing when none is left.
                while ($client = Wait-SocketConnection $Listener -Verbose:$false) {
                    $clients.Add($client)
                    $PSCmdlet.WriteVerbose("client $($client.Id) from $($client.RemoteEndPoint) ($($clients.Count) connected)")
                    if ($Chat) { Send-ToClient $client ([System.Text.Encoding]::UTF8.GetBytes("welcome, you are $($client.Id)`n")) }
                }
            }
            elseif ($clients.Contains($socket)) {
                Receive-FromClient $socket
            }
        }

        if ($clients.Count -gt 0) { $idle.Restart() }
        if ($PSBoundParameters.ContainsKey('MaxClients') -and $served -ge $MaxClients) { break }
        if ($PSBoundParameters.ContainsKey('IdleTimeout') -and $idle.Elapsed.TotalSeconds -ge $IdleTimeout) { break }
    }
}
finally {
    # Ctrl+C, the end, or a failure: no socket outlives the server.
    foreach ($client in @($clients)) {
        $bytesIn += $client.BytesReceived
        Close-Socket $client -Verbose:$false
    }
    if ($Listener) { Close-Socket $Listener -Verbose:$false }
    "served $served clients ($dropped dropped), received $bytesIn bytes; $($clients.Count) still connected at the end"
}
