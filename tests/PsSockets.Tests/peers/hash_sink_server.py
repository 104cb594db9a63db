"""Receives everything one client sends until it shuts down, then replies with the sha256 and size.

Prints LISTENING <port>, then "RECEIVED <size> <sha256>" when the client is done.
"""
import hashlib, socket
from peer import accept_one

conn = accept_one()
h, size = hashlib.sha256(), 0
while True:
    data = conn.recv(1 << 16)
    if not data:
        break
    h.update(data)
    size += len(data)
reply = f"{size} {h.hexdigest()}\n"
conn.sendall(reply.encode())
conn.close()
print("RECEIVED", reply.strip(), flush=True)
