"""python3 peers on both ends of a relay: targets it forwards to, and clients that go through it.

argv: duplex-server SIZE [PATH]    -- listens on 127.0.0.1:0 (or the unix PATH), prints LISTENING port (0 for a
                                      path); for each client, sends SIZE random bytes (then shuts down sending)
                                      while reading to EOF, and prints SERVED <got> <sha256 got> <sent> <sha256 sent>
      answer-server [PATH]         -- the HTTP/1.0-like target: for each client, reads the request to EOF, then
                                      answers "<length> <sha256>\\n" and closes; prints ANSWERED <length>
      echo-server                  -- listens on 127.0.0.1:0 (backlog 1024), prints LISTENING port; echoes every client
                                      until EOF
      duplex-client PORT SIZE      -- connects to 127.0.0.1:PORT, sends SIZE random bytes (then shuts down sending)
                                      while reading to EOF; prints CLIENT <sent> <sha256 sent> <got> <sha256 got>
      udp-echo-server              -- binds 127.0.0.1:0 (UDP), prints LISTENING port; answers each datagram with
                                      itself and prints FROM <sender port> <length>
      many-clients PORT N SIZE     -- N clients at once: each sends SIZE random bytes, shuts down sending, reads to
                                      EOF and checks the echo; prints OK N, or FAIL and what went wrong
"""
import hashlib, os, socket, sys, threading

def read_to_eof(sock):
    digest, total = hashlib.sha256(), 0
    while True:
        data = sock.recv(1 << 17)
        if not data:
            return total, digest.hexdigest()
        digest.update(data)
        total += len(data)

def send_random(sock, size):
    payload = os.urandom(size)
    sock.sendall(payload)
    sock.shutdown(socket.SHUT_WR)
    return size, hashlib.sha256(payload).hexdigest()

def duplex(sock, size):
    """Sends and receives at the same time, as a full-duplex peer does; returns (sent, sha), (got, sha)."""
    sent = {}
    sender = threading.Thread(target=lambda: sent.setdefault("r", send_random(sock, size)))
    sender.start()
    got = read_to_eof(sock)
    sender.join()
    return sent["r"], got

def listen(path):
    if path:
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        port = 0
    else:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", 0))
        port = srv.getsockname()[1]
    srv.listen(1024)
    print("LISTENING", port, flush=True)
    return srv

def serve_forever(srv, handle):
    while True:
        conn, _ = srv.accept()
        conn.settimeout(60)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()

mode = sys.argv[1]
if mode == "duplex-server":
    size = int(sys.argv[2])
    def handle(conn):
        with conn:
            (sent, sent_sha), (got, got_sha) = duplex(conn, size)
        print("SERVED", got, got_sha, sent, sent_sha, flush=True)
    serve_forever(listen(sys.argv[3] if len(sys.argv) > 3 else None), handle)
elif mode == "answer-server":
    def handle(conn):
        with conn:
            got, got_sha = read_to_eof(conn)
            conn.sendall(("%d %s\n" % (got, got_sha)).encode())
        print("ANSWERED", got, flush=True)
    serve_forever(listen(sys.argv[2] if len(sys.argv) > 2 else None), handle)
elif mode == "echo-server":
    def handle(conn):
        with conn:
            while True:
                data = conn.recv(1 << 17)
                if not data:
                    break
                conn.sendall(data)
    serve_forever(listen(None), handle)
elif mode == "duplex-client":
    port, size = int(sys.argv[2]), int(sys.argv[3])
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    with sock:
        (sent, sent_sha), (got, got_sha) = duplex(sock, size)
    print("CLIENT", sent, sent_sha, got, got_sha, flush=True)
elif mode == "udp-echo-server":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print("LISTENING", sock.getsockname()[1], flush=True)
    while True:
        data, sender = sock.recvfrom(70000)
        sock.sendto(data, sender)
        print("FROM", sender[1], len(data), flush=True)
elif mode == "many-clients":
    port, count, size = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    start = threading.Barrier(count)
    failures = []
    def client(i):
        try:
            payload = os.urandom(size)
            start.wait(30)
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            with sock:
                sender = threading.Thread(target=lambda: (sock.sendall(payload), sock.shutdown(socket.SHUT_WR)))
                sender.start()
                chunks = []
                while True:
                    data = sock.recv(1 << 17)
                    if not data:
                        break
                    chunks.append(data)
                sender.join()
            if b"".join(chunks) != payload:
                failures.append("client %d: echo of %d bytes differs" % (i, len(b"".join(chunks))))
        except Exception as e:
            failures.append("client %d: %r" % (i, e))
    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("FAIL " + "; ".join(failures[:5]) if failures else "OK %d" % count, flush=True)
