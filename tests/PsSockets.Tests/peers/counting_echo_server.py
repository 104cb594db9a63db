"""An echo server for any number of clients, one after another or at once, that counts what it saw.

One selectors loop, no thread per client: it sends back every byte, and when a client closes (recv
returning 0, the EOF a close sends) it closes its side too and counts the client as closed.
Prints "LISTENING <port>". Commands on stdin, one per line:

    STATS         -> "STATS accepted=A closed=C open=O"
    IDLE SECONDS  -> waits until no client is open (at most SECONDS), then prints STATS as above

A client that resets instead of closing is counted in "reset=R" after the other counts.
"""
import selectors, socket, sys, time

sel = selectors.DefaultSelector()
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(128)
srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ, "listener")
sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
counts = {"accepted": 0, "closed": 0, "reset": 0}
clients = {}
print("LISTENING", srv.getsockname()[1], flush=True)


def stats():
    print(f"STATS accepted={counts['accepted']} closed={counts['closed']} open={len(clients)} reset={counts['reset']}", flush=True)


def drop(conn, how):
    sel.unregister(conn)
    del clients[conn]
    conn.close()
    counts[how] += 1


def serve(conn):
    try:
        data = conn.recv(65536)
    except ConnectionResetError:
        drop(conn, "reset")
        return
    if not data:
        drop(conn, "closed")
        return
    conn.setblocking(True)  # an echo of what one recv returned fits the send buffer of a fresh connection
    try:
        conn.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        drop(conn, "reset")
        return
    conn.setblocking(False)


def accept():
    try:
        conn, _ = srv.accept()
    except BlockingIOError:
        return
    conn.setblocking(False)
    clients[conn] = True
    counts["accepted"] += 1
    sel.register(conn, selectors.EVENT_READ, "client")


def step(timeout, commands=True):
    """One wait: accepts, echoes, and (when commands) answers a command; False when stdin closed."""
    for key, _ in sel.select(timeout):
        if key.data == "listener":
            accept()
        elif key.data == "client":
            serve(key.fileobj)
        elif commands:
            command = sys.stdin.readline().split()
            if not command:
                return False
            if command[0] == "IDLE":
                until = time.monotonic() + float(command[1])
                while clients and time.monotonic() < until:
                    step(until - time.monotonic(), commands=False)
            stats()
    return True


while step(None):
    pass
