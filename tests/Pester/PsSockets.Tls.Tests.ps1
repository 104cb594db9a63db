# TLS on loopback with PsSockets on both ends: a listener with a self-signed certificate, clients that
# trust it, refuse it, or accept it anyway, STARTTLS with Protect-Socket, and the facts a check asserts.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop

    $script:server = Start-SocketListener -Port 0 -SelfSignedCertificate -Handler {
        param($c)
        while ($true) {
            try { $line = Receive-SocketData $c -Line -Timeout 10 -ErrorAction Stop } catch { break }
            Send-SocketData $c "$($c.Tls.Protocol) $line`n"
        }
    }
    $script:port = $server.LocalEndPoint.Port
    $script:certificate = $server.Listener.TlsServer.Certificate
}

AfterAll {
    Get-SocketServer | Stop-SocketServer
    Get-Socket | Close-Socket
}

Describe 'Connect-Socket -Tls' {
    It 'talks TLS 1.3 to a server whose certificate it trusts' {
        $s = Connect-Socket localhost $port -Tls -CertificateAuthority $certificate -Timeout 5
        $s.Tls.Protocol | Should -Be 'Tls13'
        $s.Tls.RemoteCertificate.Thumbprint | Should -Be $certificate.Thumbprint
        $s.Tls.RemoteCertificate.DaysLeft | Should -BeGreaterThan 20
        $s.Tls.RemoteCertificate.SubjectAlternativeNames | Should -Contain '127.0.0.1'
        Invoke-SocketRequest $s 'ping' -Line -Timeout 5 | Should -Be 'Tls13 ping'
        Close-Socket $s
    }

    It 'speaks TLS 1.2 when only TLS 1.2 is allowed' {
        $s = Connect-Socket localhost $port -Tls -TlsProtocol Tls12 -CertificateAuthority $certificate -Timeout 5
        Invoke-SocketRequest $s 'old' -Line -Timeout 5 | Should -Be 'Tls12 old'
        Close-Socket $s
    }

    It 'refuses an untrusted certificate and says why' {
        { Connect-Socket localhost $port -Tls -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateInvalid,PsSockets.Commands.ConnectSocketCommand' -ExpectedMessage '*untrusted root*'
    }

    It 'refuses a certificate for another name' {
        { Connect-Socket 127.0.0.1 $port -Tls -ServerName db01.example -CertificateAuthority $certificate -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*name mismatch*not 'db01.example'*"
    }

    It 'accepts anything with -SkipCertificateCheck, and warns' {
        $s = Connect-Socket localhost $port -Tls -SkipCertificateCheck -Timeout 5 -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -HaveCount 1
        $s.Tls.CertificateErrors | Should -HaveCount 1
        Close-Socket $s
    }

    It 'pins a certificate with a rule' {
        $pin = $certificate.Thumbprint
        $s = Connect-Socket localhost $port -Tls -Timeout 5 -WarningAction SilentlyContinue -CertificateValidation {
            param($cert, $chain, $errors)
            $cert.Thumbprint -eq $pin
        }
        $s.State | Should -Be 'Connected'
        Close-Socket $s
    }
}

Describe 'Protect-Socket' {
    It 'upgrades both ends of a plain conversation (STARTTLS)' {
        $cert = [PsSockets.CertificateFiles]::SelfSigned()
        $smtpish = Start-SocketListener -Port 0 -ArgumentList $cert -Handler {
            param($c, $cert)
            if ((Receive-SocketData $c -Line -Timeout 5) -eq 'STARTTLS') {
                Send-SocketData $c "220 Go ahead`n"
                Protect-Socket $c -Certificate $cert -Timeout 5
                Send-SocketData $c "secret $($c.Tls.IsServer)`n"
            }
        }
        $c = Connect-Socket 127.0.0.1 $smtpish.LocalEndPoint.Port -Timeout 5
        Invoke-SocketRequest $c 'STARTTLS' -Line -Timeout 5 | Should -Be '220 Go ahead'
        Protect-Socket $c -CertificateAuthority $cert -Timeout 5
        Receive-SocketData $c -Line -Timeout 5 | Should -Be 'secret True'
        $c.Tls.ServerName | Should -Be '127.0.0.1'
        Close-Socket $c
        Stop-SocketServer $smtpish
    }
}
