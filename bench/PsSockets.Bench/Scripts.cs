namespace PsSockets.Bench;

/// <summary>
/// The PowerShell side of every scenario: real script text, as a user would type it, run in the
/// hosted engine with the module imported. Each script times only its own work with a Stopwatch
/// and ends by writing that time (or the bytes are timed by the raw .NET receiver).
/// </summary>
internal static class Scripts
{
    // 1. Bulk. The byte[] is made once and the same 64 KiB array goes down the pipeline $count
    // times (an object[] of references), so the script measures sending, not allocating.
    public const string BulkPipeline = """
        param($port, $count, $size)
        $chunk = [byte[]]::new($size)
        $chunks = @(,$chunk) * $count
        $c = Connect-Socket 127.0.0.1 $port
        $chunks | Send-SocketData $c
        Close-Socket $c
        """;

    public const string BulkPerCall = """
        param($port, $count, $size)
        $chunk = [byte[]]::new($size)
        $c = Connect-Socket 127.0.0.1 $port
        for ($i = 0; $i -lt $count; $i++) { Send-SocketData $c $chunk }
        Close-Socket $c
        """;

    public const string SendFile = """
        param($port, $path)
        $c = Connect-Socket 127.0.0.1 $port
        Send-SocketData $c -Path $path
        Close-Socket $c
        """;

    public const string ReceiveToFile = """
        param($port, $path)
        $s = Connect-Socket 127.0.0.1 $port
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Receive-SocketData $s -ToEnd -OutFile $path
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $s
        $t
        """;

    // 9. TLS: the same receive into a file, through TLS; timed from the end of the handshake.
    public const string TlsReceiveToFile = """
        param($port, $path, $ca)
        $s = Connect-Socket localhost $port -Tls -CertificateAuthority $ca -Timeout 30
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Receive-SocketData $s -ToEnd -OutFile $path
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $s
        $t
        """;

    // 2. Ping-pong: one 64-byte request, wait for the whole 64-byte echo, in blocks of 100 until
    // $seconds have passed (a time budget, not a count: on this VM one mode can be 10x slower than
    // another). Writes the round trips done and the seconds they took.
    public const string PingPong = """
        param($port, $seconds)
        $c = Connect-Socket 127.0.0.1 $port
        $msg = [byte[]]::new(64)
        $n = 0
        $limit = [TimeSpan]::FromSeconds($seconds)
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        while ($sw.Elapsed -lt $limit) {
            for ($j = 0; $j -lt 100; $j++) {
                Send-SocketData $c $msg
                $r = Receive-SocketData $c -Count 64 -AsByteArray
            }
            $n += 100
        }
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $c
        if ($r.Length -ne 64) { throw "expected 64 bytes back, got $($r.Length)" }
        $n
        $t
        """;

    public const string PingPongRawMethods = """
        param($port, $seconds)
        $c = Connect-Socket 127.0.0.1 $port
        $s = $c.Socket
        $msg = [byte[]]::new(64)
        $buf = [byte[]]::new(64)
        $none = [System.Net.Sockets.SocketFlags]::None
        $n = 0
        $limit = [TimeSpan]::FromSeconds($seconds)
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        while ($sw.Elapsed -lt $limit) {
            for ($j = 0; $j -lt 100; $j++) {
                $null = $s.Send($msg)
                $got = 0
                while ($got -lt 64) {
                    $k = $s.Receive($buf, $got, 64 - $got, $none)
                    if ($k -eq 0) { throw 'the echo peer closed' }
                    $got += $k
                }
            }
            $n += 100
        }
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $c
        $n
        $t
        """;

    // ASBYTES becomes -AsByteArray when Invoke-SocketRequest has it (the answer as bytes, like the rows above).
    public const string PingPongRequest = """
        param($port, $seconds)
        $c = Connect-Socket 127.0.0.1 $port
        $msg = [byte[]]::new(64)
        $n = 0
        $limit = [TimeSpan]::FromSeconds($seconds)
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        while ($sw.Elapsed -lt $limit) {
            for ($j = 0; $j -lt 100; $j++) {
                $r = Invoke-SocketRequest $c $msg -Count 64 ASBYTES
            }
            $n += 100
        }
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $c
        $n
        $t
        """;

    // 3. Connections: both ends are cmdlets, as a script testing a server would do it.
    public const string Connections = """
        param($count)
        $l = Start-SocketListener -Port 0
        $port = $l.LocalEndPoint.Port
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        for ($i = 0; $i -lt $count; $i++) {
            $c = Connect-Socket 127.0.0.1 $port
            $a = Wait-SocketConnection -Listener $l -Timeout 5
            Close-Socket $c
            Close-Socket $a
        }
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $l
        $t
        """;

    // 4. Select: $n sockets as a script collects them (an object[]), the harness makes one readable.
    public const string Select = """
        param($port, $n, $calls)
        $socks = foreach ($i in 1..$n) { Connect-Socket 127.0.0.1 $port }
        $r = Select-Socket -Read $socks -Timeout 5
        if ($r.Read.Count -ne 1) { $socks | Close-Socket; throw "expected one ready socket, got $($r.Read.Count)" }
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        for ($i = 0; $i -lt $calls; $i++) {
            $r = Select-Socket -Read $socks -Timeout 1
        }
        $t = $sw.Elapsed.TotalSeconds
        $socks | Close-Socket
        if ($r.Read.Count -ne 1) { throw "expected one ready socket, got $($r.Read.Count)" }
        $t / $calls
        """;

    // 5. Lines, streamed: every line is a string in the pipeline.
    public const string LinesAssign = """
        param($port)
        $s = Connect-Socket 127.0.0.1 $port
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $lines = Receive-SocketData $s -Line -Continuous
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $s
        $lines.Count
        $t
        """;

    public const string LinesForEach = """
        param($port)
        $s = Connect-Socket 127.0.0.1 $port
        $n = 0
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        Receive-SocketData $s -Line -Continuous | ForEach-Object { $n++ }
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $s
        $n
        $t
        """;

    // 6. Memory (in a child process): chunk after chunk down the pipeline, nothing kept.
    public const string MemoryConnect = """
        $s = Connect-Socket 127.0.0.1 $args[0]
        """;

    public const string MemoryStream = """
        $n = 0L
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        Receive-SocketData $s -Continuous -AsByteArray | ForEach-Object { $n += $_.Length }
        $t = $sw.Elapsed.TotalSeconds
        Close-Socket $s
        $n
        $t
        """;

    // 8. Network check: every port refused; the check of the results is outside the timing.
    public const string Checks = """
        param($ports)
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $results = Test-SocketConnection 127.0.0.1 $ports -Timeout 5
        $t = $sw.Elapsed.TotalSeconds
        $refused = @($results | Where-Object { $_.ErrorId -eq 'ConnectionRefused' }).Count
        if ($refused -ne $ports.Count) { throw "expected $($ports.Count) refused ports, got $refused" }
        $t
        """;
}
