"""A peer that resets its connection when told to: a socket that dies while the other side waits on it.

Prints LISTENING <port>; accepts one client and prints ACCEPTED; then waits for a line on stdin and
closes the connection with SO_LINGER 0 (RST: the client's next call fails with ECONNRESET) and
prints RESET. The test tells it once the client is waiting in Select-Socket.
"""
import socket, struct, sys
from peer import accept_one

conn = accept_one()
print("ACCEPTED", flush=True)
sys.stdin.readline()
conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
conn.close()
print("RESET", flush=True)
