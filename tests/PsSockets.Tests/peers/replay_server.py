"""A small line protocol server for replay tests: a key-value store that answers each command with one line.

  SET k v -> OK        GET k -> VALUE v (or NONE)        INCR k -> VALUE n        QUIT -> BYE, then it closes

Prints LISTENING <port>, then serves one client after another, one per argument, each in its mode, and prints
"DONE <n>" when it closed the n-th. The modes change exactly one answer, the n-th of the connection:
  exact        every answer as it should be
  change:N     one byte changed: the last before the newline, plus one ("VALUE 3" -> "VALUE 4")
  short:N      only the first half of the answer, then the server closes the connection
  long:N       the answer, then "EXTRA\\n" in the same send
  silent:N     no answer: the server prints SILENT, reads on and never answers again (until the client goes)
  noclose      as exact, but after BYE the server waits for the client to close first
  split        as exact, but each answer goes out one byte per send (TCP_NODELAY)
"""
import socket, sys

modes = sys.argv[1:] or ["exact"]
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(4)
srv.settimeout(60)
print("LISTENING", srv.getsockname()[1], flush=True)


def answer(store, line):
    words = line.split()
    if not words:
        return b"ERROR empty\n"
    if words[0] == "SET" and len(words) == 3:
        store[words[1]] = words[2]
        return b"OK\n"
    if words[0] == "GET" and len(words) == 2:
        return f"VALUE {store[words[1]]}\n".encode() if words[1] in store else b"NONE\n"
    if words[0] == "INCR" and len(words) == 2:
        store[words[1]] = str(int(store.get(words[1], "0")) + 1)
        return f"VALUE {store[words[1]]}\n".encode()
    if words[0] == "QUIT":
        return b"BYE\n"
    return b"ERROR unknown command\n"


def serve(conn, mode):
    kind, _, n = mode.partition(":")
    changed = int(n) if n else 0
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = conn.makefile("rb")
    store, count, silent = {}, 0, False
    for raw in reader:
        count += 1
        line = raw.decode().strip()
        reply = answer(store, line)
        if silent:
            continue
        if count == changed:
            if kind == "change":
                reply = reply[:-2] + bytes([reply[-2] + 1]) + b"\n"
            elif kind == "short":
                conn.sendall(reply[: len(reply) // 2])
                return
            elif kind == "long":
                reply += b"EXTRA\n"
            elif kind == "silent":
                silent = True
                print("SILENT", flush=True)
                continue
        if kind == "split":
            for byte in reply:
                conn.send(bytes([byte]))
        else:
            conn.sendall(reply)
        if line == "QUIT":
            if kind == "noclose":
                reader.read()  # until the client closes
            return


for number, mode in enumerate(modes, 1):
    conn, _ = srv.accept()
    conn.settimeout(60)
    try:
        serve(conn, mode)
    except (ConnectionError, socket.timeout):
        pass
    finally:
        conn.close()
    print("DONE", number, flush=True)
srv.close()
