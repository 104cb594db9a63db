# Connect-Socket -Proxy through the SOCKS5 proxy of the xunit suite (python3) and ncat's HTTP proxy, on loopback:
# the tunnel carries bytes both ways, a name goes to the proxy, credentials, and the errors a check asserts.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"

    function Start-SocksProxy {
        param([string[]] $ArgumentList)
        $script = [System.IO.Path]::Combine($PSScriptRoot, '..', 'PsSockets.Tests', 'peers', 'socks5_proxy.py')
        $peer = Start-Peer python3 (@('-u', $script) + $ArgumentList) { param($line) $line -like 'LISTENING *' }
        [pscustomobject]@{ Process = $peer.Process; Output = $peer.Output; Port = [int]$peer.Line.Split(' ')[1] }
    }

    function Start-NcatHttpProxy {
        # ncat's proxy mode binds every address whatever it is told (nmap/nmap#2614): --allow serves loopback clients only.
        $port = Get-ClosedLoopbackPort
        $peer = Start-Peer ncat @('-v', '-l', '--proxy-type', 'http', '--allow', '127.0.0.1,::1', '127.0.0.1', "$port") -FromStandardError {
            param($line) $line -like "*Listening on 0.0.0.0:$port"
        }
        [pscustomobject]@{ Process = $peer.Process; Output = $peer.Output; Port = $port }
    }

    $password = [System.Net.NetworkCredential]::new('', 's3cret').SecurePassword
    $alice = [pscredential]::new('alice', $password)
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'Connect-Socket through a SOCKS5 proxy' {
    BeforeAll {
        $open = Start-SocksProxy @('none')
        $guarded = Start-SocksProxy @('userpass', 'alice', 's3cret')
    }

    AfterAll {
        Stop-Peer $open
        Stop-Peer $guarded
    }

    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'opens a tunnel to a name the proxy resolves and carries bytes both ways' {
        $listener = Start-SocketListener -Port 0
        $client = Connect-Socket localhost $listener.LocalEndPoint.Port -Proxy "socks5://127.0.0.1:$($open.Port)" -Timeout 5
        $server = Wait-SocketConnection $listener -Timeout 5
        Send-SocketData $client "ping`n"
        Receive-SocketData $server -Line -Timeout 5 | Should -Be 'ping'
        Send-SocketData $server "pong`n"
        Receive-SocketData $client -Line -Timeout 5 | Should -Be 'pong'
        "$($client.ProxyTarget)" | Should -Be "localhost:$($listener.LocalEndPoint.Port)"
        "$client" | Should -BeLike "* via socks5 proxy 127.0.0.1:$($open.Port))"
        $client.BytesSent | Should -Be 5
        $open.Output.ReadLine() | Should -Be 'METHODS 00'
        $open.Output.ReadLine() | Should -Be "TARGET domain localhost $($listener.LocalEndPoint.Port)"
    }

    It 'logs in with -ProxyCredential and shows the user, never the password' {
        $listener = Start-SocketListener -Port 0
        $client = Connect-Socket 127.0.0.1 $listener.LocalEndPoint.Port -Proxy "socks5://127.0.0.1:$($guarded.Port)" -ProxyCredential $alice -Timeout 5
        "$($client.Proxy)" | Should -Be "socks5://alice@127.0.0.1:$($guarded.Port)"
        "$client" | Should -Not -BeLike '*s3cret*'
    }

    It 'fails with ProxyAuthenticationFailed on a wrong password' {
        { Connect-Socket 127.0.0.1 9 -Proxy "socks5://alice:wrong@127.0.0.1:$($guarded.Port)" -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProxyAuthenticationFailed,PsSockets.Commands.ConnectSocketCommand'
        Get-Socket | Should -BeNullOrEmpty
    }

    It 'fails with ConnectionRefused when the target port is closed behind the proxy' {
        { Connect-Socket 127.0.0.1 (Get-ClosedLoopbackPort) -Proxy "socks5://127.0.0.1:$($open.Port)" -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionRefused,PsSockets.Commands.ConnectSocketCommand'
    }

    It 'times out within -Timeout when the proxy never answers' {
        $silent = Start-SocketListener -Port 0
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        { Connect-Socket localhost 80 -Proxy "socks5://127.0.0.1:$($silent.LocalEndPoint.Port)" -Timeout 0.5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'OperationTimeout,PsSockets.Commands.ConnectSocketCommand'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'rejects a scheme it does not speak when the parameter is bound, without showing the password' {
        $e = { Connect-Socket 127.0.0.1 9 -Proxy 'socks4://bob:hunter2@127.0.0.1:1080' } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $e.Exception.Message | Should -Not -BeLike '*hunter2*'
    }
}

Describe 'Connect-Socket through an HTTP proxy (ncat)' -Skip:(-not (Get-Command ncat -ErrorAction Ignore)) {
    BeforeAll {
        $ncat = Start-NcatHttpProxy
    }

    AfterAll {
        Stop-Peer $ncat
    }

    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'opens a CONNECT tunnel, and the target speaks first' {
        $listener = Start-SocketListener -Port 0
        $client = Connect-Socket 127.0.0.1 $listener.LocalEndPoint.Port -Proxy "http://127.0.0.1:$($ncat.Port)" -Timeout 5
        $server = Wait-SocketConnection $listener -Timeout 5
        Send-SocketData $server "220 ready`r`n"
        Receive-SocketData $client -Line -Timeout 5 | Should -Be '220 ready'
        "$($client.Proxy)" | Should -Be "http://127.0.0.1:$($ncat.Port)"
    }

    It 'fails with ProxyFailed when the target port is closed (ncat answers 504)' {
        $e = { Connect-Socket 127.0.0.1 (Get-ClosedLoopbackPort) -Proxy "http://127.0.0.1:$($ncat.Port)" -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProxyFailed,PsSockets.Commands.ConnectSocketCommand' -PassThru
        $e.Exception.Message | Should -BeLike '*504 Gateway Timeout*'
    }
}
