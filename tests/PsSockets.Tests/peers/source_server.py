"""Sends <size> deterministic bytes to one client, then closes (the client reads to the end).

Prints LISTENING <port>, then "SENT <size> <sha256>". argv: size [seed]
"""
import hashlib, random, socket, sys
from peer import accept_one

size = int(sys.argv[1])
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
data = rng.randbytes(size)
conn = accept_one()
conn.sendall(data)
conn.shutdown(socket.SHUT_WR)
# Wait for the client's close so nothing is cut off by a reset.
while conn.recv(65536):
    pass
conn.close()
print("SENT", size, hashlib.sha256(data).hexdigest(), flush=True)
