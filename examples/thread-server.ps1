<#
.SYNOPSIS
    The concurrent ("thread per client") echo server of the socket courses, in one line:
    Start-SocketListener -Handler.

.DESCRIPTION
    Uses only PsSockets cmdlets and PowerShell's core cmdlets, so it runs in pwsh with the module
    imported and in the PsSockets shell:

        dotnet run --project src/PsSockets.Shell -- -File examples/thread-server.ps1
        dotnet run --project src/PsSockets.Shell -- -Command "./examples/thread-server.ps1 -Serve -Port 7000"

    By default it starts the server, connects -Clients clients at once, has each send its lines and
    check the echoes, and prints what the server counted. With -Serve it serves on -Port until
    Ctrl+C (try it with `ncat 127.0.0.1 7000` or `socat - TCP:127.0.0.1:7000`), printing the
    counters when they change; Ctrl+C stops the server, and its port is free at once.
    Exits with 1 when an echo does not match what was sent or a step fails, 0 otherwise.
#>
param(
    # The port to listen on; 0 lets the system choose.
    [int] $Port = 0,

    # How many clients connect at once (without -Serve).
    [int] $Clients = 5,

    # How many lines each client sends (without -Serve).
    [int] $Lines = 3,

    # The most handlers that run at once; further clients wait in the listener's backlog.
    [int] $ThrottleLimit = 4,

    # Serve until Ctrl+C instead of running the clients.
    [switch] $Serve,

    # Seconds any one step may take.
    [double] $Timeout = 5
)

$ErrorActionPreference = 'Stop'
$server = $null
$connections = @()
try {
    # The whole server: each connection echoes its lines until the client shuts down its side.
    $server = Start-SocketListener -Port $Port -Name thread-server -ThrottleLimit $ThrottleLimit -Handler {
        param($client)
        Receive-SocketData $client -Line -Continuous | Send-SocketData $client -Line
    }
    "server listening on $($server.LocalEndPoint), at most $ThrottleLimit handlers at once"

    if ($Serve) {
        $shown = ''
        while ($true) {
            $now = "$($server.Active) active, $($server.Accepted) accepted, $($server.Completed) completed, $($server.Failed) failed"
            if ($now -ne $shown) {
                $now
                $shown = $now
            }
            [System.Threading.Thread]::Sleep(250)
        }
    }

    $connections = 1..$Clients | ForEach-Object { Connect-Socket 127.0.0.1 $server.LocalEndPoint.Port -Name "client$_" -Timeout $Timeout }
    "$Clients clients connected"

    # Every client sends all its lines and shuts down its sending side before any reads. The first
    # $ThrottleLimit are served at once; the others wait in the backlog until a handler is free.
    foreach ($c in $connections) {
        1..$Lines | ForEach-Object { Send-SocketData $c -Line "line $_ from $($c.Name)" -Timeout $Timeout }
        Disconnect-Socket $c -Direction Send
    }
    $problems = 0
    foreach ($c in $connections) {
        $expected = -join (1..$Lines | ForEach-Object { "line $_ from $($c.Name)`n" })
        $echo = Receive-SocketData $c -ToEnd -Timeout $Timeout   # to the end: the handler ended, the server closed it
        if ($echo -ceq $expected) {
            "$($c.Name) got its $Lines lines back"
        }
        else {
            "MISMATCH: $($c.Name) got '$echo'"
            $problems++
        }
    }
    "server: $($server.Accepted) accepted, $($server.Completed) completed, $($server.Failed) failed, $($server.Active) active"
    if ($problems) {
        exit 1
    }
}
finally {
    if ($server) {
        Stop-SocketServer $server
        "server $($server.State.ToString().ToLowerInvariant())"
    }
    $connections | Close-Socket
}
