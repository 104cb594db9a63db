<#
.SYNOPSIS
    A loopback echo exchange: listen, connect, accept, send lines, echo them back, compare.

.DESCRIPTION
    Uses only PsSockets cmdlets and PowerShell's core cmdlets, so it runs in pwsh with the module
    imported and in the PsSockets shell:

        dotnet run --project src/PsSockets.Shell -- -File examples/echo.ps1
        dotnet run --project src/PsSockets.Shell -- -Command "./examples/echo.ps1 -Message one, two"

    Every step prints one line. The client half-closes (shutdown SHUT_WR) when it is done, the
    server sees the end of the stream and does the same, then every socket is closed. Exits with
    1 when an echo does not match what was sent or a step fails, 0 otherwise.
#>
param(
    # The messages the client sends, one line each.
    [string[]] $Message = @('hello', 'echo over loopback', 'ünïcödé ✓', 'bye'),

    # Seconds any one step may take.
    [double] $Timeout = 5
)

$ErrorActionPreference = 'Stop'
$problems = 0
$listener = $client = $server = $null
try {
    $listener = Start-SocketListener -Port 0 -Name echo-listener
    $port = $listener.LocalEndPoint.Port
    "server listening on 127.0.0.1:$port"

    $client = Connect-Socket 127.0.0.1 $port -Name echo-client -Timeout $Timeout
    "client connected from $($client.LocalEndPoint)"
    $server = Wait-SocketConnection -Listener $listener -Timeout $Timeout -Name echo-server
    "server accepted the connection from $($server.RemoteEndPoint)"

    foreach ($text in $Message) {
        Send-SocketData $client "$text`n" -Timeout $Timeout
        "client sent '$text'"

        # The server side: one line in, the same line back.
        $line = Receive-SocketData $server -Line -Timeout $Timeout
        Send-SocketData $server "$line`n" -Timeout $Timeout
        "server echoed $([System.Text.Encoding]::UTF8.GetByteCount("$line`n")) bytes"

        $echo = Receive-SocketData $client -Line -Timeout $Timeout
        if ($echo -ceq $text) {
            "client received '$echo'"
        }
        else {
            "MISMATCH: client sent '$text' but received '$echo'"
            $problems++
        }
    }

    # shutdown(SHUT_WR) on both sides: each reads the other's end of stream, nothing left over.
    Disconnect-Socket $client -Direction Send
    "client shut down its sending side"
    $rest = Receive-SocketData $server -ToEnd -Timeout $Timeout
    if ([string]::IsNullOrEmpty($rest)) {
        "server read the end of the stream"
    }
    else {
        "MISMATCH: server read '$rest' after the last message"
        $problems++
    }
    Disconnect-Socket $server -Direction Send
    $rest = Receive-SocketData $client -ToEnd -Timeout $Timeout
    if ([string]::IsNullOrEmpty($rest)) {
        "client read the end of the stream"
    }
    else {
        "MISMATCH: client read '$rest' after the last echo"
        $problems++
    }

    "client sent $($client.BytesSent) bytes and received $($client.BytesReceived) bytes"
    if ($client.BytesSent -ne $client.BytesReceived) {
        "MISMATCH: the client received a different number of bytes than it sent"
        $problems++
    }
}
catch {
    "FAILED: $($_.Exception.Message)"
    $problems++
}
finally {
    $client, $server, $listener | Where-Object { $null -ne $_ } | Close-Socket
    "closed every socket ($(@(Get-Socket).Count) still open)"
}

if ($problems -gt 0) {
    "echo: $problems problem(s)"
    exit 1
}
"echo: all $($Message.Count) messages came back intact"
