"""Receives everything one client sends until it shuts down, then replies with the sha256 and size.

Prints LISTENING <port>, then "RECEIVED <size> <sha256>" when the client is done.
"""
import hashlib, socket

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(60)
print("LISTENING", srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(60)
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
