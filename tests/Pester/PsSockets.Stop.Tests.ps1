# Ctrl+C: PowerShell.Stop() from another thread is what Ctrl+C does. A blocking cmdlet runs in a
# runspace of its own (with the module imported) through BeginInvoke; Stop() must end it at once,
# as a stop rather than an error, and leave the socket usable.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"

    # One runspace for the whole file: opening one costs a noticeable fraction of a second.
    $sessionState = [initialsessionstate]::CreateDefault2()
    $sessionState.ImportPSModule([string[]] @($PsSocketsModulePath))
    $runspace = [runspacefactory]::CreateRunspace($sessionState)
    $runspace.Open()
}

AfterAll {
    if ($runspace) {
        $runspace.Dispose()
    }
    Get-Socket | Close-Socket
}

Describe 'Stopping a blocked cmdlet (Ctrl+C)' {
    BeforeEach {
        $pair = New-LoopbackPair
        $shell = [powershell]::Create()
        $shell.Runspace = $runspace
    }

    AfterEach {
        $shell.Dispose()
        Get-Socket | Close-Socket
    }

    It 'stops <Command> within 2 s and leaves the socket usable' -TestCases @(
        @{ Command = 'Wait-SocketConnection'; Target = 'Listener' }
        @{ Command = 'Receive-SocketData'; Target = 'Server' }
    ) {
        $socket = $pair.$Target
        $null = $shell.AddCommand($Command).AddParameter('Socket', $socket)
        $pending = $shell.BeginInvoke()

        # Nothing is coming, so the cmdlet blocks.
        $pending.AsyncWaitHandle.WaitOne(250) | Should -BeFalse

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $shell.Stop()
        $watch.Stop()

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        $pending.IsCompleted | Should -BeTrue
        $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        $shell.Streams.Error | Should -BeNullOrEmpty -Because 'a stop is not a failure'
        $socket.IsClosed | Should -BeFalse

        # The socket still works after the stop.
        if ($Target -eq 'Listener') {
            $client = Connect-Socket 127.0.0.1 $socket.LocalEndPoint.Port -Timeout 5
            $accepted = Wait-SocketConnection -Listener $socket -Timeout 5
            $accepted.RemoteEndPoint.Port | Should -Be $client.LocalEndPoint.Port
        }
        else {
            Send-SocketData $pair.Client 'still here'
            Receive-SocketData $socket -Timeout 5 | Should -BeExactly 'still here'
        }
    }
}
