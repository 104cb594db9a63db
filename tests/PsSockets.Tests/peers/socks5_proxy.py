"""A SOCKS5 proxy (RFC 1928, CONNECT only) with optional username/password authentication (RFC 1929).

Listens on 127.0.0.1 and prints LISTENING <port>; serves clients on threads until killed. For each client it
reports what it was asked, so a test can check the form the client used:
  METHODS 00 02            the methods the greeting offered (hex)
  AUTH <user> ok|failed    a username/password login
  TARGET domain localhost 8080 | TARGET ipv4 127.0.0.1 80 | TARGET ipv6 ::1 80
  REPLY <code>             the reply it sent (0 = succeeded, 5 = connection refused, ...)
  ACCEPTED                 (silent mode) a client connected; nothing will be said to it
argv: mode [user password] [--hold-reply] [--port=N]
  none      no authentication
  userpass  username/password only: the greeting must offer method 2, the login must match
  silent    accepts, reads, and never answers (a proxy that hangs)
  --hold-reply  sends the reply only once the target has sent its first bytes, in the same write, so the
                client gets the target's bytes together with the reply and must keep them
  --port=N      listens on port N instead of an ephemeral one (for trying it by hand: 1080)
"""
import errno, socket, struct, sys, threading

args = [a for a in sys.argv[1:] if not a.startswith("--")]
mode = args[0]
user, password = (args[1], args[2]) if mode == "userpass" else (None, None)
hold_reply = "--hold-reply" in sys.argv
port = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--port=")), 0)
lock = threading.Lock()


def say(*words):
    with lock:
        print(*words, flush=True)


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def reply_code(error):
    if isinstance(error, ConnectionRefusedError):
        return 5
    if isinstance(error, socket.gaierror):
        return 4
    code = getattr(error, "errno", None)
    return {errno.ENETUNREACH: 3, errno.EHOSTUNREACH: 4}.get(code, 1)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def handshake(conn):
    """The target connection once the client's request is granted, or None."""
    version, count = recv_exact(conn, 2)
    methods = recv_exact(conn, count)
    say("METHODS", " ".join(f"{m:02x}" for m in methods))
    wanted = 2 if mode == "userpass" else 0
    if version != 5 or wanted not in methods:
        conn.sendall(b"\x05\xff")
        return None
    conn.sendall(bytes([5, wanted]))
    if wanted == 2:
        _, ulen = recv_exact(conn, 2)
        name = recv_exact(conn, ulen).decode()
        (plen,) = recv_exact(conn, 1)
        secret = recv_exact(conn, plen).decode()
        good = name == user and secret == password
        say("AUTH", name, "ok" if good else "failed")
        conn.sendall(b"\x01\x00" if good else b"\x01\x01")
        if not good:
            return None
    _, command, _, atyp = recv_exact(conn, 4)
    if atyp == 1:
        kind, host = "ipv4", socket.inet_ntop(socket.AF_INET, recv_exact(conn, 4))
    elif atyp == 4:
        kind, host = "ipv6", socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16))
    else:
        (length,) = recv_exact(conn, 1)
        kind, host = "domain", recv_exact(conn, length).decode()
    (port,) = struct.unpack("!H", recv_exact(conn, 2))
    say("TARGET", kind, host, port)
    if command != 1:
        conn.sendall(b"\x05\x07\x00\x01" + bytes(6))
        say("REPLY", 7)
        return None
    try:
        target = socket.create_connection((host, port), timeout=10)
    except OSError as e:
        code = reply_code(e)
        conn.sendall(bytes([5, code, 0, 1]) + bytes(6))
        say("REPLY", code)
        return None
    bound = target.getsockname()
    family_type = 4 if target.family == socket.AF_INET6 else 1
    reply = bytes([5, 0, 0, family_type]) + socket.inet_pton(target.family, bound[0]) + struct.pack("!H", bound[1])
    if hold_reply:
        reply += target.recv(65536)  # the target speaks first: its bytes leave with the reply
    target.settimeout(None)
    conn.sendall(reply)
    say("REPLY", 0)
    return target


def serve(conn):
    with conn:
        if mode == "silent":
            say("ACCEPTED")
            while conn.recv(65536):
                pass
            return
        try:
            target = handshake(conn)
        except (EOFError, OSError):
            return
        if target is None:
            return
        with target:
            back = threading.Thread(target=pump, args=(target, conn))
            back.start()
            pump(conn, target)
            back.join()


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(16)
print("LISTENING", srv.getsockname()[1], flush=True)
while True:
    client, _ = srv.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
