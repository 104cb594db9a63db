"""What the single-client peers share: listen on loopback, say where, accept one client."""
import socket


def accept_one(family=socket.AF_INET, timeout=60):
    """Binds an ephemeral loopback port, prints LISTENING <port>, and returns the accepted connection."""
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(timeout)
    print("LISTENING", srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    srv.close()
    conn.settimeout(timeout)
    return conn
