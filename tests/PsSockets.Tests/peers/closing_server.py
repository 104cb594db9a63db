"""A server that ends the connection on its client: the seeds' "recv returning 0 means the peer closed".

Prints LISTENING <port>; accepts one client, sends the greeting (argv[2], a line, optional), then:
  close  closes at once: FIN, the client's recv returns 0
  wait   reads one line from the client first, then closes (the client is likely blocked in recv by then)
  reset  reads one line from the client first (so the client's connect is long done), then closes
         with SO_LINGER 0: RST, the client's recv fails with ECONNRESET (a socket that dies)
Prints "CLOSED" once its connection is closed.
argv: mode [greeting]
"""
import socket, struct, sys
from peer import accept_one

mode = sys.argv[1]
greeting = sys.argv[2] if len(sys.argv) > 2 else ""
conn = accept_one()
if greeting:
    conn.sendall((greeting + "\n").encode())
if mode in ("wait", "reset"):
    with conn.makefile("rb") as f:  # closed before conn.close(), or the fd would stay open
        f.readline()
if mode == "reset":
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
conn.close()
print("CLOSED", flush=True)
