<#
.SYNOPSIS
    A UDP echo server in one pipeline: every datagram goes back to whoever sent it.

.DESCRIPTION
    The server is one line:

        Receive-SocketData $u -Continuous | ForEach-Object { Send-SocketData $u $_.Data -To $_.RemoteEndPoint }

    Run as a server it echoes until Ctrl+C (or until it has been quiet for -IdleTimeout seconds):

        dotnet run --project src/PsSockets.Shell -- -File examples/udp-echo.ps1 -Port 9999

    and from another terminal: `ncat -u 127.0.0.1 9999`, or `socat - UDP:127.0.0.1:9999`.

    With -Message it tests itself: a client in the same script sends each message as one datagram
    (they wait in the server's receive buffer), the server echoes them and stops after -IdleTimeout
    quiet seconds, and the client compares each echo with what it sent. Exits with 1 when an echo
    does not match or a step fails.
#>
param(
    # The UDP port to serve on (loopback); 0 takes a free one.
    [int] $Port = 0,

    # Messages a client in this script sends and checks; none runs the server alone.
    [string[]] $Message,

    # Seconds of quiet after which the server stops; none serves until Ctrl+C.
    [double] $IdleTimeout
)

$ErrorActionPreference = 'Stop'
$problems = 0
$server = $client = $null
try {
    $server = Start-SocketListener -Udp -Port $Port -Name udp-echo
    "echo server on $($server.LocalEndPoint)"

    if ($Message) {
        $client = New-Socket -Type Dgram -LocalPort 0 -Name udp-client  # bound to loopback at once
        $Message | Send-SocketData $client -To $server.LocalEndPoint
        "client sent $($Message.Count) datagrams from $($client.LocalEndPoint)"
    }

    $receive = @{ Continuous = $true }
    if ($PSBoundParameters.ContainsKey('IdleTimeout')) { $receive.Timeout = $IdleTimeout }
    $echoed = 0
    try {
        Receive-SocketData $server @receive | ForEach-Object {
            Send-SocketData $server $_.Data -To $_.RemoteEndPoint
            $echoed++
        }
    }
    catch [PsSockets.SocketOperationException] {
        if ($_.Exception.Failure -ne 'OperationTimeout') { throw }
        "server quiet for $IdleTimeout s: stopping"
    }
    "server echoed $echoed datagrams"

    foreach ($text in $Message) {
        $echo = Receive-SocketData $client -Timeout 5
        if ($echo.Text -ceq $text -and $echo.RemoteEndPoint.Port -eq $server.LocalEndPoint.Port) {
            "client got '$($echo.Text)' back from $($echo.RemoteEndPoint)"
        }
        else {
            "MISMATCH: client sent '$text' but got '$($echo.Text)' from $($echo.RemoteEndPoint)"
            $problems++
        }
    }
}
catch {
    "FAILED: $($_.Exception.Message)"
    $problems++
}
finally {
    $client, $server | Where-Object { $null -ne $_ } | Close-Socket
}

if ($problems -gt 0) {
    "udp-echo: $problems problem(s)"
    exit 1
}
