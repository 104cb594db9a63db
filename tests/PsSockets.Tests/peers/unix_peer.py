"""A python3 peer on a unix domain stream socket. "@name" is a Linux abstract name.

argv: echo-server PATH  -- listens, prints LISTENING 0, echoes one client until EOF
      client PATH LINE  -- connects, sends LINE and a newline, prints GOT <the line that comes back>
      stale PATH        -- binds PATH and exits without unlinking it: the file a crashed server leaves
      serve PATH LINE   -- listens, prints LISTENING 0, then sends every client LINE and a newline and closes it, until killed
"""
import socket, sys

mode, path = sys.argv[1], sys.argv[2]
address = "\0" + path[1:] if path.startswith("@") else path
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(30)
if mode == "stale":
    sock.bind(address)
    print("STALE", flush=True)
elif mode == "echo-server":
    sock.bind(address)
    sock.listen(1)
    print("LISTENING 0", flush=True)
    conn, _ = sock.accept()
    with conn:
        conn.settimeout(30)
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
    print("CLIENT DONE", flush=True)
elif mode == "serve":
    sock.bind(address)
    sock.listen(8)
    sock.settimeout(None)
    print("LISTENING 0", flush=True)
    while True:
        conn, _ = sock.accept()
        with conn:
            try:
                conn.sendall(sys.argv[3].encode() + b"\n")
            except OSError:
                pass  # a client that left at once (a probe of the live file): the next one is served all the same
elif mode == "client":
    sock.connect(address)
    sock.sendall(sys.argv[3].encode() + b"\n")
    reply = sock.makefile("rb").readline().decode().rstrip("\n")
    print("GOT", reply, flush=True)
