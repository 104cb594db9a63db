# Network checks as a team writes them: Test-SocketConnection over open and closed loopback ports, -Quiet for
# Should, a banner and a PING/PONG answer, TLS version and certificate expiry (with Test-SocketConnection and with
# Connect-Socket -Tls), and waiting for a service that comes up after the check started. Every service is a
# listener these tests start on 127.0.0.1; closed ports are sockets bound and never listening.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"

    function New-ClosedPort {
        # A 127.0.0.1 port held bound and never listening: connects are refused, and nothing else takes it meanwhile.
        $socket = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
        $socket.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        $socket
    }

    $certificate = [PsSockets.CertificateFiles]::SelfSigned($null, 90)
    $tlsServer = Start-SocketListener -Port 0 -ArgumentList $certificate -Handler {
        param($client, $certificate)
        $client.Socket.ReceiveTimeout = 5000
        $tls = [System.Net.Security.SslStream]::new([System.Net.Sockets.NetworkStream]::new($client.Socket, $false))
        try {
            $tls.AuthenticateAsServer($certificate)
            $null = $tls.Read([byte[]]::new(1), 0, 1)
        }
        catch {
            # A client that refused the certificate leaves in mid-handshake.
        }
        finally {
            $tls.Dispose()
        }
    }
    $tlsPort = $tlsServer.LocalEndPoint.Port
}

AfterAll {
    Get-SocketServer | Stop-SocketServer
    Get-Socket | Close-Socket
}

Describe 'Test-SocketConnection: ports' {
    BeforeEach {
        $open = Start-SocketListener -Port 0
        $closed = New-ClosedPort
        $openPort = $open.LocalEndPoint.Port
        $closedPort = $closed.LocalEndPoint.Port
    }

    AfterEach {
        Close-Socket $open
        $closed.Dispose()
    }

    It 'writes one result per host and port, in order, with the reason for each failure' {
        $results = Test-SocketConnection 127.0.0.1 $openPort, $closedPort -Timeout 5

        $results | Should -HaveCount 2
        $results[0].Port | Should -Be $openPort
        $results[0].Success | Should -BeTrue
        $results[0].RemoteAddress | Should -Be '127.0.0.1'
        $results[0].Latency | Should -BeGreaterThan ([TimeSpan]::Zero)
        $results[1].Port | Should -Be $closedPort
        $results[1].Success | Should -BeFalse
        $results[1].ErrorId | Should -Be 'ConnectionRefused'
        $results[1].Error | Should -BeLike "*127.0.0.1:$closedPort*refused*"
    }

    It 'reads naturally in Should with -Quiet' {
        Test-SocketConnection 127.0.0.1 $openPort -Quiet | Should -BeTrue
        Test-SocketConnection 127.0.0.1 $closedPort -Quiet | Should -BeFalse
        Test-SocketConnection "127.0.0.1:$openPort" -Quiet | Should -BeTrue
    }

    It 'checks a table of services from the pipeline' {
        $services = @(
            [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $openPort }
            [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $closedPort }
        )
        $down = $services | Test-SocketConnection -Timeout 5 | Where-Object { -not $_.Success }
        $down.Port | Should -Be $closedPort
    }

    It 'checks many closed ports at once, not one after the other' {
        $more = 1..200 | ForEach-Object { New-ClosedPort }
        try {
            $ports = $more | ForEach-Object { $_.LocalEndPoint.Port }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $results = Test-SocketConnection 127.0.0.1 $ports -Timeout 5
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $results | Should -HaveCount 200
            $results.Port | Should -Be $ports
            $results | Where-Object Success | Should -BeNullOrEmpty
        }
        finally {
            $more | ForEach-Object { $_.Dispose() }
        }
    }
}

Describe 'Test-SocketConnection: answers' {
    BeforeAll {
        $ssh = Start-SocketListener -Port 0 -Handler {
            param($client)
            Send-SocketData $client "SSH-2.0-OpenSSH_9.2p1 Debian-2`r`n"
            $null = Receive-SocketData $client -ToEnd -Timeout 5
        }
        $redis = Start-SocketListener -Port 0 -Handler {
            param($client)
            while ($null -ne ($line = Receive-SocketData $client -Line -Timeout 5 -ErrorAction SilentlyContinue)) {
                if ($line.Trim() -ne 'PING') { Send-SocketData $client "-ERR unknown command`r`n"; break }
                Send-SocketData $client "+PONG`r`n"
            }
        }
    }

    It 'finds an SSH banner' {
        $check = Test-SocketConnection 127.0.0.1 $ssh.LocalEndPoint.Port -Expect 'SSH-2.0' -Timeout 5
        $check.Success | Should -BeTrue -Because $check.Error
        $check.Response | Should -BeLike 'SSH-2.0-OpenSSH_*'
    }

    It 'gets +PONG for PING' {
        Test-SocketConnection 127.0.0.1 $redis.LocalEndPoint.Port -Send "PING`r`n" -Expect '+PONG' -Timeout 5 -Quiet | Should -BeTrue
    }

    It 'fails an expectation that is not met and says what came instead' {
        $check = Test-SocketConnection 127.0.0.1 $redis.LocalEndPoint.Port -Send "HELLO`r`n" -Expect '+PONG' -Timeout 5
        $check.Success | Should -BeFalse
        $check.ErrorId | Should -Be 'UnexpectedResponse'
        $check.Error | Should -BeLike '*-ERR unknown command*'
    }
}

Describe 'TLS checks' {
    It 'reports the TLS version and the days the certificate has left' {
        $check = Test-SocketConnection localhost $tlsPort -Tls -CertificateAuthority $certificate -Timeout 10
        $check.Success | Should -BeTrue -Because $check.Error
        $check.TlsProtocol | Should -BeIn 'Tls12', 'Tls13'
        $check.CertificateDaysLeft | Should -BeGreaterThan 30
        $check.CertificateNotAfter | Should -Be $certificate.NotAfter
    }

    It 'fails an untrusted certificate and says why, unless told to skip the check' {
        $check = Test-SocketConnection localhost $tlsPort -Tls -Timeout 10
        $check.Success | Should -BeFalse
        $check.ErrorId | Should -Be 'CertificateInvalid'
        $check.Error | Should -BeLike '*untrusted root*'

        $skipped = Test-SocketConnection localhost $tlsPort -Tls -SkipCertificateCheck -Timeout 10
        $skipped.Success | Should -BeTrue
        $skipped.Tls.CertificateErrors | Should -Not -BeNullOrEmpty
    }

    It 'shows the same facts on a socket from Connect-Socket -Tls' {
        $socket = Connect-Socket localhost $tlsPort -Tls -CertificateAuthority $certificate -Timeout 10
        try {
            $socket.Tls.Protocol | Should -BeIn 'Tls12', 'Tls13'
            $socket.Tls.RemoteCertificate.DaysLeft | Should -BeGreaterThan 30
            $socket.Tls.RemoteCertificate.Thumbprint | Should -Be $certificate.Thumbprint
        }
        finally {
            Close-Socket $socket
        }
    }
}

Describe 'Waiting until a service is up' {
    It 'returns as soon as a port that opens later accepts connections' {
        $later = New-ClosedPort
        # The service comes up a second and a half after the check starts, on another thread.
        $starter = [powershell]::Create().AddScript({
                param($socket)
                Start-Sleep -Milliseconds 1500
                $socket.Listen(16)
            }).AddArgument($later)
        try {
            $starting = $starter.BeginInvoke()
            $check = Test-SocketConnection 127.0.0.1 $later.LocalEndPoint.Port -Wait -Timeout 30
            $starter.EndInvoke($starting)

            $check.Success | Should -BeTrue -Because $check.Error
            $check.Attempts | Should -BeGreaterThan 1
            $check.Elapsed.TotalSeconds | Should -BeLessThan 10
        }
        finally {
            $starter.Dispose()
            $later.Dispose()
        }
    }

    It 'gives up at -Timeout with the last reason' {
        $closed = New-ClosedPort
        try {
            $check = Test-SocketConnection 127.0.0.1 $closed.LocalEndPoint.Port -Wait -Timeout 1
            $check.Success | Should -BeFalse
            $check.ErrorId | Should -Be 'ConnectionRefused'
            $check.Error | Should -BeLike '*was not ready within 1 s*'
        }
        finally {
            $closed.Dispose()
        }
    }
}
