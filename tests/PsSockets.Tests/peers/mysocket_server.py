"""The socket HOWTO's mysocket class, as its fixed-length exchange: receive <count> messages of
exactly MSGLEN bytes each (recv in pieces of at most 2048, the HOWTO's loop) and send each back
reversed with the HOWTO's send loop.

Prints LISTENING <port>, then "EXCHANGED <count>". argv: msglen count
"""
import sys
from peer import accept_one

MSGLEN = int(sys.argv[1])
COUNT = int(sys.argv[2])


class mysocket:
    """The HOWTO's demonstration class, with bytes where it had Python 2 strings."""

    def __init__(self, sock):
        self.sock = sock

    def mysend(self, msg):
        totalsent = 0
        while totalsent < MSGLEN:
            sent = self.sock.send(msg[totalsent:])
            if sent == 0:
                raise RuntimeError("socket connection broken")
            totalsent = totalsent + sent

    def myreceive(self):
        chunks = []
        bytes_recd = 0
        while bytes_recd < MSGLEN:
            chunk = self.sock.recv(min(MSGLEN - bytes_recd, 2048))
            if chunk == b'':
                raise RuntimeError("socket connection broken")
            chunks.append(chunk)
            bytes_recd = bytes_recd + len(chunk)
        return b''.join(chunks)


s = mysocket(accept_one())
for _ in range(COUNT):
    s.mysend(s.myreceive()[::-1])
print("EXCHANGED", COUNT, flush=True)
s.sock.close()
