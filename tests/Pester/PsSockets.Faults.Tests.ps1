# Faults, as a network check meets them: a peer that resets, goes silent, stops reading or closes inside a
# message (the suite's misbehaving peer, python3, on loopback). Each is a clear error with a stable id, and
# no byte that arrived is lost.

BeforeAll {
    Import-Module "$PSScriptRoot/../../out/PsSockets" -Force -ErrorAction Stop
    . "$PSScriptRoot/TestHelpers.ps1"
}

AfterAll {
    Get-Socket | Close-Socket
}

Describe 'A peer that misbehaves' {
    AfterEach {
        Get-Socket | Close-Socket
        if ($peer) { Stop-Peer $peer }
    }

    It 'resets while we wait for a message: ConnectionReset, the socket Failed, what arrived kept' {
        # It resets once it has our 'hi': a reset right after accept could beat the end of our connect.
        $peer = Start-MisbehavingPeer 'read:2', 'send:partial', 'reset'
        $c = Connect-Socket 127.0.0.1 $peer.Port -Timeout 5
        Send-SocketData $c 'hi'
        Wait-PeerLine $peer 'ACCEPTED'
        Wait-PeerLine $peer 'READ'
        Wait-PeerLine $peer 'SENT'
        Wait-PeerLine $peer 'RESET'

        { Receive-SocketData $c -Line -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand'
        $c.State | Should -Be 'Failed'
        { Receive-SocketData $c -ToEnd -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand'
        Receive-SocketData $c -Timeout 1 | Should -Be 'partial'
    }

    It 'goes silent: the receive times out, and the connection goes on when it speaks again' {
        $peer = Start-MisbehavingPeer 'stall', 'send:back\n'
        $c = Connect-Socket 127.0.0.1 $peer.Port -Timeout 5
        Wait-PeerLine $peer 'ACCEPTED'
        Wait-PeerLine $peer 'STALLED'

        { Receive-SocketData $c -Line -Timeout 0.2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand'
        Resume-Peer $peer
        Receive-SocketData $c -Line -Timeout 10 | Should -Be 'back'
        $c.State | Should -Be 'Connected'
    }

    It 'closes inside a length-prefixed message: PeerClosed, saying what was missing' {
        $peer = Start-MisbehavingPeer 'prefix:10', 'truncate:3:abcdefghij'
        $c = Connect-Socket 127.0.0.1 $peer.Port -Timeout 5
        Wait-PeerLine $peer 'ACCEPTED'
        Wait-PeerLine $peer 'SENT'
        Wait-PeerLine $peer 'TRUNCATED'

        $err = { Receive-SocketData $c -LengthPrefix 4 -Timeout 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand' -PassThru
        $err.Exception.Message | Should -BeLike '*It needed 7 more bytes.*'
        $c.BytesBuffered | Should -Be 7
    }

    It 'reads nothing: a send times out saying how much went, and exactly that much arrives' {
        $peer = Start-MisbehavingPeer '--rcvbuf', '4096', 'stall', 'readall'
        $c = Connect-Socket 127.0.0.1 $peer.Port -Timeout 5 -Option @{ SendBufferSize = 4096 }
        Wait-PeerLine $peer 'ACCEPTED'
        Wait-PeerLine $peer 'STALLED'

        $err = { Send-SocketData $c ([byte[]]::new(16MB)) -Timeout 0.3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'OperationTimeout,PsSockets.Commands.SendSocketDataCommand' -PassThru
        $err.Exception.BytesSent | Should -Be $c.BytesSent
        Close-Socket $c
        Resume-Peer $peer
        Wait-PeerLine $peer 'RESUMED'
        (Wait-PeerLine $peer 'EOF')[0] | Should -Be $c.BytesSent
    }
}
