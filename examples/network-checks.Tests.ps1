<#
Network checks as Pester 5 tests: is each port open, does the service answer as it should, which TLS
version does it speak and how long has its certificate left.

    Invoke-Pester ./examples/network-checks.Tests.ps1 -Output Detailed

To check your own services, copy this file and replace the loopback stand-ins at the top of BeforeAll
with your hosts, for instance:

    $Services = @{
        Database = @{ ComputerName = 'db01'; Port = 5432 }
        Ssh      = @{ ComputerName = 'bastion'; Port = 22 }
        Cache    = @{ ComputerName = 'redis01'; Port = 6379 }
        Web      = @{ ComputerName = 'www.example.org'; Port = 443; CertificateAuthority = $null }
    }

(CertificateAuthority: the private CA's certificate or PEM file to trust, or $null for a certificate the
system already trusts). As written, the file starts its own stand-ins on 127.0.0.1, so it runs anywhere,
with nothing but PsSockets.
#>

BeforeAll {
    $built = [System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'PsSockets')
    if (Test-Path $built) { Import-Module $built -Force } else { Import-Module PsSockets }

    # --- Stand-ins on loopback: replace this block with your own hosts (see the top of the file). ---
    $database = Start-SocketListener -Port 0
    $ssh = Start-SocketListener -Port 0 -Handler {
        param($client)
        Send-SocketData $client "SSH-2.0-OpenSSH_9.2p1 Debian-2`r`n"
        $null = Receive-SocketData $client -ToEnd -Timeout 5
    }
    $cache = Start-SocketListener -Port 0 -Handler {
        param($client)
        # Redis-like: +PONG for each PING; anything else is an error, and the end of the conversation.
        while ($null -ne ($line = Receive-SocketData $client -Line -Timeout 5 -ErrorAction SilentlyContinue)) {
            if ($line.Trim() -ne 'PING') { Send-SocketData $client "-ERR unknown command`r`n"; break }
            Send-SocketData $client "+PONG`r`n"
        }
    }
    # A TLS server with a self-signed certificate valid 90 days, for localhost, 127.0.0.1 and ::1.
    $webCertificate = [PsSockets.CertificateFiles]::SelfSigned($null, 90)
    $web = Start-SocketListener -Port 0 -ArgumentList $webCertificate -Handler {
        param($client, $certificate)
        $client.Socket.ReceiveTimeout = 5000
        $tls = [System.Net.Security.SslStream]::new([System.Net.Sockets.NetworkStream]::new($client.Socket, $false))
        try {
            $tls.AuthenticateAsServer($certificate)
            $null = $tls.Read([byte[]]::new(1), 0, 1)   # until the client closes
        }
        catch {
            # A check that refused the certificate closes in mid-handshake: nothing to serve.
        }
        finally {
            $tls.Dispose()
        }
    }
    $Services = @{
        Database = @{ ComputerName = '127.0.0.1'; Port = $database.LocalEndPoint.Port }
        Ssh      = @{ ComputerName = '127.0.0.1'; Port = $ssh.LocalEndPoint.Port }
        Cache    = @{ ComputerName = '127.0.0.1'; Port = $cache.LocalEndPoint.Port }
        Web      = @{ ComputerName = 'localhost'; Port = $web.LocalEndPoint.Port; CertificateAuthority = $webCertificate }
    }
    # --- End of the stand-ins. ---

    # Services that start with the test run (a container, a service just installed) may need a moment:
    # wait until every port accepts connections, for at most a minute, before any test runs.
    $up = $Services.Values | ForEach-Object { [pscustomobject]$_ } | Test-SocketConnection -Wait -Timeout 60
    $down = $up | Where-Object { -not $_.Success } | ForEach-Object { "$($_.Target): $($_.Error)" }
    $down | Should -BeNullOrEmpty -Because 'every service must be up before the checks run'
}

AfterAll {
    Get-SocketServer | Stop-SocketServer
    Get-Socket | Close-Socket
}

Describe 'Ports' {
    It '<Name> accepts connections' -ForEach @(
        @{ Name = 'Database' }
        @{ Name = 'Ssh' }
        @{ Name = 'Cache' }
        @{ Name = 'Web' }
    ) {
        $service = $Services[$Name]
        Test-SocketConnection $service.ComputerName $service.Port -Timeout 5 -Quiet | Should -BeTrue
    }

    It 'answers every check quickly' {
        $results = $Services.Values | ForEach-Object { [pscustomobject]$_ } | Test-SocketConnection -Timeout 5
        $results | Where-Object { -not $_.Success } | ForEach-Object { $_.Error } | Should -BeNullOrEmpty
        $results | ForEach-Object { $_.Latency.TotalMilliseconds | Should -BeLessThan 1000 -Because "$($_.Target) should connect within a second" }
    }
}

Describe 'Protocols' {
    It 'SSH greets with an SSH-2.0 banner' {
        $check = Test-SocketConnection $Services.Ssh.ComputerName $Services.Ssh.Port -Expect 'SSH-2.0' -Timeout 5
        $check.Success | Should -BeTrue -Because $check.Error
        $check.Response | Should -Match '^SSH-2\.0-OpenSSH_'
    }

    It 'the cache answers PING with +PONG' {
        Test-SocketConnection $Services.Cache.ComputerName $Services.Cache.Port -Send "PING`r`n" -Expect '+PONG' -Timeout 5 -Quiet |
            Should -BeTrue
    }

    It 'the same exchange, step by step, with a connected socket' {
        $socket = Connect-Socket $Services.Cache.ComputerName $Services.Cache.Port -Timeout 5
        try {
            Invoke-SocketRequest $socket "PING`r`n" -Timeout 5 | Should -BeExactly '+PONG'
        }
        finally {
            Close-Socket $socket
        }
    }
}

Describe 'TLS' {
    It 'speaks TLS 1.2 or later' {
        $check = Test-SocketConnection $Services.Web.ComputerName $Services.Web.Port -Tls -CertificateAuthority $Services.Web.CertificateAuthority -Timeout 10
        $check.Success | Should -BeTrue -Because $check.Error
        $check.TlsProtocol | Should -BeIn 'Tls12', 'Tls13'
    }

    It 'has a certificate with more than 30 days left' {
        $check = Test-SocketConnection $Services.Web.ComputerName $Services.Web.Port -Tls -CertificateAuthority $Services.Web.CertificateAuthority -Timeout 10
        $check.CertificateDaysLeft | Should -BeGreaterThan 30 -Because "it expires on $($check.CertificateNotAfter)"
    }

    It 'shows the same from a connected socket' {
        $socket = Connect-Socket $Services.Web.ComputerName $Services.Web.Port -Tls -CertificateAuthority $Services.Web.CertificateAuthority -Timeout 10
        try {
            $socket.Tls.Protocol | Should -BeIn 'Tls12', 'Tls13'
            $socket.Tls.RemoteCertificate.DaysLeft | Should -BeGreaterThan 30
            $socket.Tls.RemoteCertificate.SubjectAlternativeNames | Should -Contain $Services.Web.ComputerName
        }
        finally {
            Close-Socket $socket
        }
    }
}
