# Socket options: Get-SocketOption and Set-SocketOption reach the system (checked through the raw .NET
# socket), refuse options that do not apply, and the per-direction timeouts steer the cmdlets. Loopback only.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'Get-SocketOption' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'lists the options of a TCP socket, and only those' {
        $socket = New-Socket
        $names = Get-SocketOption $socket | ForEach-Object Name

        $names | Should -Contain 'NoDelay'
        $names | Should -Contain 'KeepAliveIdle'
        $names | Should -Not -Contain 'Broadcast'
        $names | Should -Not -Contain 'DualMode'
    }

    It 'lists the options of a Unix socket pair: buffers, Blocking and the timeouts' {
        $a, $b = New-SocketPair
        Get-SocketOption $a | ForEach-Object Name |
            Should -Be @('ReceiveBufferSize', 'SendBufferSize', 'Blocking', 'ReceiveTimeout', 'SendTimeout')
    }

    It 'names the option as C does, for the socket''s family' {
        (Get-SocketOption (New-Socket) Ttl).CName | Should -Be 'IP_TTL'
        $v6 = Get-SocketOption (New-Socket -AddressFamily InterNetworkV6) Ttl
        $v6.CName | Should -Be 'IPV6_UNICAST_HOPS'
        $v6.Level | Should -Be 'IPPROTO_IPV6'
    }

    It 'reads an option by level and number' {
        $socket = New-Socket
        Set-SocketOption $socket NoDelay $true
        Get-SocketOption $socket -Level Tcp -OptionName 1 | Should -Be 1
    }

    It 'refuses an option that does not apply, saying what the socket is' {
        $a, $b = New-SocketPair
        $err = { Get-SocketOption $a -Name NoDelay -ErrorAction Stop } |
            Should -Throw -ErrorId 'OptionNotApplicable,PsSockets.Commands.GetSocketOptionCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -BeLike 'NoDelay (TCP_NODELAY) applies to TCP sockets;*is a unix socket.'
    }
}

Describe 'Set-SocketOption' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'sets <Name> to <Value> and the raw socket sees <Seen>' -ForEach @(
        @{ Name = 'NoDelay'; Value = $true; Seen = { $_.Socket.NoDelay }; Expected = $true }
        @{ Name = 'KeepAlive'; Value = $true; Seen = { $_.Socket.GetSocketOption('Socket', 'KeepAlive') }; Expected = 1 }
        @{ Name = 'KeepAliveIdle'; Value = 45; Seen = { $_.Socket.GetSocketOption('Tcp', 'TcpKeepAliveTime') }; Expected = 45 }
        @{ Name = 'Ttl'; Value = 9; Seen = { $_.Socket.Ttl }; Expected = 9 }
        @{ Name = 'Linger'; Value = 3; Seen = { $_.Socket.LingerState.LingerTime }; Expected = 3 }
        @{ Name = 'ReceiveTimeout'; Value = 0.25; Seen = { $_.Socket.ReceiveTimeout }; Expected = 250 }
    ) {
        $socket = New-Socket
        Set-SocketOption $socket $Name $Value
        (Get-SocketOption $socket $Name).Value | Should -Be $Value
        $socket | ForEach-Object $Seen | Should -Be $Expected
    }

    It 'refuses Broadcast on TCP and NoDelay on UDP' {
        { Set-SocketOption (New-Socket) Broadcast $true -ErrorAction Stop } |
            Should -Throw -ErrorId 'OptionNotApplicable,PsSockets.Commands.SetSocketOptionCommand'
        $udp = New-Socket -Type Dgram
        try {
            { Set-SocketOption $udp NoDelay $true -ErrorAction Stop } |
                Should -Throw -ErrorId 'OptionNotApplicable,PsSockets.Commands.SetSocketOptionCommand'
            Set-SocketOption $udp Broadcast $true
            $udp.Socket.EnableBroadcast | Should -BeTrue
        }
        finally {
            $udp.Close()
        }
    }

    It 'refuses a value out of range, naming the type, and changes nothing' {
        $socket = New-Socket
        $err = { Set-SocketOption $socket Ttl 300 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,PsSockets.Commands.SetSocketOptionCommand' -PassThru
        $err.Exception.Message | Should -BeLike '*it takes an Int32: 1 to 255 hops.'
        (Get-SocketOption $socket Ttl).Value | Should -Be 64
    }

    It 'turns Linger off with $null, and refuses $false (which would read as 0, a reset)' {
        $socket = New-Socket
        Set-SocketOption $socket Linger 5
        Set-SocketOption $socket Linger $null
        (Get-SocketOption $socket Linger).Value | Should -BeNullOrEmpty
        $socket.Socket.LingerState.Enabled | Should -BeFalse
        { Set-SocketOption $socket Linger $false -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,PsSockets.Commands.SetSocketOptionCommand'
    }

    It 'sets an option by level and number' {
        $socket = New-Socket
        $keepAlive = if ($IsLinux) { 9 } else { 8 } # SO_KEEPALIVE
        Set-SocketOption $socket -Level Socket -OptionName $keepAlive -Value 1
        (Get-SocketOption $socket KeepAlive).Value | Should -BeTrue
    }

    It 'writes each piped socket on with -PassThru' {
        $first = New-Socket
        $second = New-Socket
        $first, $second | Set-SocketOption -Name NoDelay -Value $true -PassThru | Should -HaveCount 2
        $first.Socket.NoDelay, $second.Socket.NoDelay | Should -Be @($true, $true)
    }
}

Describe 'ReceiveTimeout and SendTimeout' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'ends a receive without -Timeout after ReceiveTimeout, and the socket stays usable' {
        $pair = New-LoopbackPair
        $pair.Server.Timeout = 30
        Set-SocketOption $pair.Server ReceiveTimeout 0.3

        $err = { Receive-SocketData $pair.Server -ErrorAction Stop } |
            Should -Throw -ErrorId 'OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand' -PassThru
        $err.Exception.Message | Should -BeLike 'Timed out after 0.3 s*'

        Send-SocketData $pair.Client "still here`n"
        Receive-SocketData $pair.Server -Line | Should -Be 'still here'
    }

    It 'ends a send without -Timeout after SendTimeout' {
        $pair = New-LoopbackPair
        Set-SocketOption $pair.Server ReceiveBufferSize 4096
        Set-SocketOption $pair.Client SendBufferSize 4096
        Set-SocketOption $pair.Client SendTimeout 0.3

        $err = { Send-SocketData $pair.Client ([byte[]]::new(64MB)) -ErrorAction Stop } |
            Should -Throw -ErrorId 'OperationTimeout,PsSockets.Commands.SendSocketDataCommand' -PassThru
        $err.Exception.Message | Should -BeLike 'Timed out after 0.3 s*'
    }
}

Describe 'ReusePort' -Skip:(-not $IsLinux) {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'lets two listeners bind the same loopback port' {
        $first = New-Socket
        Set-SocketOption $first ReusePort $true
        $first.Socket.Bind([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
        $first.Socket.Listen()
        $port = $first.Socket.LocalEndPoint.Port

        $second = New-Socket
        Set-SocketOption $second ReusePort $true
        $second.Socket.Bind([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $port))
        $second.Socket.Listen()
        $second.Socket.LocalEndPoint.Port | Should -Be $port

        $third = New-Socket
        { $third.Socket.Bind([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $port)); $third.Socket.Listen() } | Should -Throw
    }
}
