# Failures are ErrorRecords with stable ids ('<SocketFailure>,PsSockets.Commands.<Cmdlet>Command'),
# the right category and a target object; bad arguments fail at parameter binding. Loopback only.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'Connect-Socket failures' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'fails with ConnectionRefused on a closed loopback port' {
        $port = Get-ClosedLoopbackPort

        $err = { Connect-Socket 127.0.0.1 $port -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionRefused,PsSockets.Commands.ConnectSocketCommand' -PassThru

        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.TargetObject.Port | Should -Be $port
        $err.Exception.Message | Should -BeLike "*127.0.0.1:$port*"
        Get-Socket | Should -BeNullOrEmpty
    }

    It 'fails with HostNotFound for a name that cannot resolve (nosuchhost.invalid)' {
        # .invalid never resolves (RFC 6761), so nothing is ever contacted.
        $err = { Connect-Socket 'nosuchhost.invalid' 9 -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostNotFound,PsSockets.Commands.ConnectSocketCommand' -PassThru

        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike '*nosuchhost.invalid*'
    }
}

Describe 'Parameter validation' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'rejects <Name> at binding time' -TestCases @(
        @{ Name = 'Connect-Socket port 70000'; Command = 'Connect-Socket'; Arguments = @{ ComputerName = '127.0.0.1'; Port = 70000 }; Class = 'ConnectSocketCommand' }
        @{ Name = 'Connect-Socket port 0'; Command = 'Connect-Socket'; Arguments = @{ ComputerName = '127.0.0.1'; Port = 0 }; Class = 'ConnectSocketCommand' }
        @{ Name = 'Start-SocketListener port 70000'; Command = 'Start-SocketListener'; Arguments = @{ Port = 70000 }; Class = 'StartSocketListenerCommand' }
        @{ Name = 'a negative -Timeout'; Command = 'Start-SocketListener'; Arguments = @{ Port = 0; Timeout = -1 }; Class = 'StartSocketListenerCommand' }
    ) {
        # ParameterBindingValidationException is internal to the engine: check its public base and its name.
        $err = { & $Command @Arguments } |
            Should -Throw -ErrorId "ParameterArgumentValidationError,PsSockets.Commands.$Class" -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru
        $err.Exception.GetType().Name | Should -Be 'ParameterBindingValidationException'
        Get-Socket | Should -BeNullOrEmpty
    }

    It 'rejects port 70000 written positionally, as the design example writes ports' {
        $err = { Connect-Socket 127.0.0.1 70000 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,PsSockets.Commands.ConnectSocketCommand' -PassThru
        $err.Exception.GetType().Name | Should -Be 'ParameterBindingValidationException'
        $err.Exception.ParameterName | Should -Be 'Port'
    }
}

Describe 'Start-SocketListener failures' {
    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'fails with AddressInUse for a second listener on a taken port' {
        $first = Start-SocketListener -Port 0

        $err = { Start-SocketListener -Port $first.LocalEndPoint.Port -ErrorAction Stop } |
            Should -Throw -ErrorId 'AddressInUse,PsSockets.Commands.StartSocketListenerCommand' -PassThru

        $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
        (Get-Socket).Id | Should -Be $first.Id
        $first.State | Should -Be 'Listening'
    }
}

Describe 'A closed socket' {
    BeforeEach {
        $pair = New-LoopbackPair
        Close-Socket $pair.Client
        Close-Socket $pair.Listener
    }

    AfterEach {
        Get-Socket | Close-Socket
    }

    It 'fails <Command> with SocketClosed' -TestCases @(
        @{ Command = 'Send-SocketData'; Class = 'SendSocketDataCommand'; Target = 'Client'; Arguments = @{ InputObject = 'x' } }
        @{ Command = 'Receive-SocketData'; Class = 'ReceiveSocketDataCommand'; Target = 'Client'; Arguments = @{ Timeout = 1 } }
        @{ Command = 'Disconnect-Socket'; Class = 'DisconnectSocketCommand'; Target = 'Client'; Arguments = @{} }
        @{ Command = 'Connect-Socket'; Class = 'ConnectSocketCommand'; Target = 'Client'; Arguments = @{ ComputerName = '127.0.0.1'; Port = 9; Timeout = 1 } }
        @{ Command = 'Wait-SocketConnection'; Class = 'WaitSocketConnectionCommand'; Target = 'Listener'; Arguments = @{ Timeout = 1 } }
    ) {
        $socket = $pair.$Target

        $err = { & $Command -Socket $socket @Arguments -ErrorAction Stop } |
            Should -Throw -ErrorId "SocketClosed,PsSockets.Commands.$Class" -PassThru

        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.TargetObject.Id | Should -Be $socket.Id
        $socket.State | Should -Be 'Closed'
    }

    It 'is gone from Get-Socket while its peer stays' {
        (Get-Socket).Id | Should -Be $pair.Server.Id
    }
}

Describe 'Hostile pipeline input' {
    # Wrong things piped in are clear ErrorRecords, never a .NET exception passed through or a hang.
    BeforeAll {
        $pair = New-LoopbackPair
    }

    AfterAll {
        Get-Socket | Close-Socket
    }

    It 'refuses <Name>' -TestCases @(
        @{ Name = 'a listener to Connect-Socket'; Script = { $pair.Listener | Connect-Socket 127.0.0.1 $pair.Listener.LocalEndPoint.Port -Timeout 1 }; Id = 'InvalidArgument,PsSockets.Commands.ConnectSocketCommand' }
        @{ Name = 'a socket as data to Send-SocketData'; Script = { $pair.Server | Send-SocketData $pair.Client }; Id = 'SocketAsData,PsSockets.Commands.SendSocketDataCommand' }
        @{ Name = '$null to ConvertTo-SocketBytes'; Script = { $null | ConvertTo-SocketBytes '!H' }; Id = 'InvalidStructValue,PsSockets.Commands.ConvertToSocketBytesCommand' }
        @{ Name = 'nothing to Select-Socket with no -Timeout'; Script = { @() | Select-Socket }; Id = 'NothingToSelect,PsSockets.Commands.SelectSocketCommand' }
        @{ Name = 'a 3-byte binary -LengthPrefix'; Script = { Receive-SocketData $pair.Server -LengthPrefix 3 }; Id = 'InvalidLengthPrefixSize,PsSockets.Commands.ReceiveSocketDataCommand' }
        @{ Name = 'a struct format of gigabytes'; Script = { ConvertTo-SocketBytes '999999999999I' 1 }; Id = 'InvalidStructFormat,PsSockets.Commands.ConvertToSocketBytesCommand' }
    ) {
        # Some are one item's error (WriteError): Stop makes every one of them end the script, for Should -Throw.
        $err = { $ErrorActionPreference = 'Stop'; & $Script } | Should -Throw -ErrorId $Id -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'leaves the pair working after all of it' {
        Send-SocketData $pair.Client 'still here' -Timeout 5
        Receive-SocketData $pair.Server -Count 10 -Timeout 5 | Should -Be 'still here'
    }
}
