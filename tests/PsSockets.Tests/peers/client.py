"""A scripted client: connects to 127.0.0.1:<port> and runs a little protocol.

argv: port mode [args]
  echo N       send N numbered lines, check each echoed line, then shutdown(SHUT_WR) and read to EOF
  upload SIZE  send SIZE deterministic bytes, shutdown(SHUT_WR), read the server's reply to EOF
  download     read to EOF and report the size and sha256
Prints "OK ..." on success, "FAIL ..." and exits 1 otherwise.
"""
import hashlib, random, socket, sys

port, mode = int(sys.argv[1]), sys.argv[2]
family = socket.AF_INET6 if len(sys.argv) > 4 and sys.argv[4] == "6" else socket.AF_INET
host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
s = socket.socket(family, socket.SOCK_STREAM)
s.settimeout(60)
s.connect((host, port))

def read_to_end():
    chunks = []
    while True:
        data = s.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)

if mode == "echo":
    n = int(sys.argv[3])
    f = s.makefile("rb")
    for i in range(n):
        line = f"line {i} \u00e9\u20ac\n".encode()
        s.sendall(line)
        back = f.readline()
        if back != line:
            print("FAIL", i, repr(back), flush=True)
            sys.exit(1)
    s.shutdown(socket.SHUT_WR)
    rest = f.read()
    print("OK", n, "rest", len(rest), flush=True)
elif mode == "upload":
    size = int(sys.argv[3])
    data = random.Random(11).randbytes(size)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    reply = read_to_end().decode()
    print("OK", size, hashlib.sha256(data).hexdigest(), "REPLY", reply.strip(), flush=True)
elif mode == "download":
    data = read_to_end()
    print("OK", len(data), hashlib.sha256(data).hexdigest(), flush=True)
s.close()
