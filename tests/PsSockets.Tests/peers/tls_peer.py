"""A TLS peer written with python3's ssl module, on loopback.

argv: role mode port-or-0 [args...]
  server MODE 0 CERT KEY        listen on 127.0.0.1 (prints "LISTENING port"), serve one client with TLS
  client MODE PORT CAFILE NAME  connect to 127.0.0.1:PORT, verify the server against CAFILE as NAME
modes:
  echo          echo each line back until EOF (server or client: the client sends "hello N" lines itself
                with N from 0 to 9, checks the echoes, then closes with close_notify)
  source SIZE   send SIZE deterministic bytes, print "SENT size sha256", close with close_notify
  sink          read to EOF, print "GOT size sha256"
  raw-echo      (server) echo whatever arrives as it arrives; at EOF answer close_notify and print "EOF total"
  reset         (server) send "bye\n", read a line, then reset the connection (RST, no close_notify)
  garbage KIND  (server) send "ok\n", read a line, then raw bytes under TLS: KIND forged (a record that does not
                decrypt) or huge (a header claiming 65535 bytes); then wait for the peer to close
  two-records   send "first\n" and "second\n" as two TLS records at once, wait for "done\n", then close
  eager-starttls (client) plain "STARTTLS\n" and the TLS hello right behind it, then as echo
  starttls      (server) plain "STARTTLS\n" -> "OK\n", then TLS; then echo lines
Prints "OK ..." / "FAIL ..." where there is something to check; exits 1 on failure.
"""
import hashlib, os, random, socket, ssl, struct, sys

role, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])

def deterministic(size):
    rng = random.Random(7)
    left = size
    while left > 0:
        n = min(left, 1 << 20)
        yield rng.randbytes(n)
        left -= n

def read_lines(conn):
    f = conn.makefile("rb")
    while True:
        line = f.readline()
        if not line:
            return
        yield line

def serve(conn, mode, args):
    if mode == "echo":
        for line in read_lines(conn):
            conn.sendall(line)
        try:
            conn.unwrap()  # answer the peer's close_notify with ours
        except (ssl.SSLError, OSError) as e:
            print("UNWRAP", type(e).__name__, flush=True)
    elif mode == "raw-echo":
        total = 0
        while True:
            data = conn.recv(65536)
            if not data:
                break
            total += len(data)
            conn.sendall(data)
        print("EOF", total, flush=True)
        conn.unwrap()
    elif mode == "garbage":
        conn.sendall(b"ok\n")
        conn.makefile("rb").readline()
        header = b"\x17\x03\x03\x00\x40" if args[0] == "forged" else b"\x17\x03\x03\xff\xff"
        os.write(conn.fileno(), header + bytes(range(64)))
        try:
            while conn.recv(1024):
                pass
        except (ssl.SSLError, OSError) as e:
            print("PEER", type(e).__name__, flush=True)
    elif mode == "reset":
        conn.sendall(b"bye\n")
        conn.makefile("rb").readline()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    elif mode == "source":
        size, h = int(args[0]), hashlib.sha256()
        for chunk in deterministic(size):
            h.update(chunk)
            conn.sendall(chunk)
        print("SENT", size, h.hexdigest(), flush=True)
        conn.unwrap()
    elif mode == "sink":
        h, size = hashlib.sha256(), 0
        while True:
            data = conn.recv(1 << 20)
            if not data:
                break
            h.update(data)
            size += len(data)
        print("GOT", size, h.hexdigest(), flush=True)
    elif mode == "two-records":
        conn.sendall(b"first\n")
        conn.sendall(b"second\n")
        f = conn.makefile("rb")
        print("SAID", f.readline().decode().strip(), flush=True)

if role == "server":
    cert, key = sys.argv[4], sys.argv[5]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print("LISTENING", listener.getsockname()[1], flush=True)
    plain, _ = listener.accept()
    plain.settimeout(60)
    if mode == "starttls":
        f = plain.makefile("rb")
        command = f.readline()
        if command != b"STARTTLS\n":
            print("FAIL command", repr(command), flush=True)
            sys.exit(1)
        plain.sendall(b"OK\n")
        conn = context.wrap_socket(plain, server_side=True)
        print("TLS", conn.version(), flush=True)
        serve(conn, "echo", [])
    else:
        conn = context.wrap_socket(plain, server_side=True)
        serve(conn, mode, sys.argv[6:])
    print("DONE", flush=True)
else:
    cafile, name = sys.argv[4], sys.argv[5]
    context = ssl.create_default_context(cafile=cafile)
    plain = socket.create_connection(("127.0.0.1", port), timeout=60)
    if mode == "eager-starttls":
        plain.sendall(b"STARTTLS\n")  # and the hello right behind it, without waiting for an answer
        mode = "echo"
    conn = context.wrap_socket(plain, server_hostname=name)
    print("TLS", conn.version(), conn.cipher()[0], flush=True)
    if mode == "echo":
        f = conn.makefile("rb")
        for i in range(10):
            line = f"hello {i} \u00e9\n".encode()
            conn.sendall(line)
            back = f.readline()
            if back != line:
                print("FAIL", i, repr(back), flush=True)
                sys.exit(1)
        conn.unwrap()
        print("OK echoed 10", flush=True)
    else:
        serve(conn, mode, sys.argv[6:])
