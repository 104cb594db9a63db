"""Sends a file to one client with socket.sendfile (zero-copy), then an optional trailer, then
shuts down its sending side and waits for the client to close.

Prints LISTENING <port>, then "SENT <bytes>". argv: path [trailer]
"""
import socket, sys
from peer import accept_one

conn = accept_one()
with open(sys.argv[1], "rb") as f:
    sent = conn.sendfile(f)
if len(sys.argv) > 2:
    conn.sendall(sys.argv[2].encode())
    sent += len(sys.argv[2].encode())
conn.shutdown(socket.SHUT_WR)
while conn.recv(65536):
    pass
conn.close()
print("SENT", sent, flush=True)
