"""Many clients at once against examples/select-server.ps1, from one python process (selectors).

echo PORT CLIENTS MESSAGES RESETS
    CLIENTS connections are opened at once. Each sends MESSAGES messages of its own, one at a time,
    and checks that each comes back byte for byte before sending the next. RESETS of the clients
    instead die after their first echo: they close with SO_LINGER 0 (RST), a client that vanishes
    without a goodbye, which the server must drop without harm to the others.
    Prints one line: "OK <n> clients echoed <m> messages, <r> reset, <b> bytes" or "FAIL <why>".

chat PORT CLIENTS
    CLIENTS connections wait for the server's welcome line; then the first one says a line and every
    other one must receive it. Prints "OK <n> clients heard it" or "FAIL <why>".

Every wait has a deadline (60 s), so the peer never hangs.
"""
import selectors, socket, struct, sys, time

DEADLINE = time.monotonic() + 60


def connect_all(port, count):
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.setblocking(False)
        socks.append(s)
    return socks


def echo(port, count, messages, resets):
    sel = selectors.DefaultSelector()
    clients = connect_all(port, count)
    state = {}
    for i, s in enumerate(clients):
        # Messages of different lengths and contents per client, so a mixed-up echo cannot pass.
        msgs = [(f"client {i} message {k} " + "x" * ((i * 7 + k * 13) % 200) + "\n").encode() for k in range(messages)]
        state[s] = {"id": i, "msgs": msgs, "k": 0, "got": b"", "reset": i < resets}
        s.send(msgs[0])
        sel.register(s, selectors.EVENT_READ)
    echoed = done = reset = 0
    sent = sum(len(st["msgs"][0]) for st in state.values())
    while done < count:
        if time.monotonic() > DEADLINE:
            return f"FAIL timed out: {done} of {count} clients finished, {echoed} echoes"
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            st = state[s]
            data = s.recv(65536)
            if not data:
                return f"FAIL client {st['id']}: the server closed the connection after {st['k']} echoes"
            st["got"] += data
            want = st["msgs"][st["k"]]
            if len(st["got"]) < len(want):
                if not want.startswith(st["got"]):
                    return f"FAIL client {st['id']}: echo {st['k']} began {st['got'][:40]!r}, expected {want[:40]!r}"
                continue
            if st["got"] != want:
                return f"FAIL client {st['id']}: echo {st['k']} was {st['got'][:60]!r}, expected {want[:60]!r}"
            echoed += 1
            st["got"] = b""
            st["k"] += 1
            if st["reset"]:
                sel.unregister(s)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
                reset += 1
                done += 1
            elif st["k"] == len(st["msgs"]):
                sel.unregister(s)
                s.close()
                done += 1
            else:
                s.send(st["msgs"][st["k"]])
                sent += len(st["msgs"][st["k"]])
    return f"OK {count} clients echoed {echoed} messages, {reset} reset, {sent} bytes"


def read_line(s):
    """One line, a byte at a time (nothing past it is taken), within the socket's timeout."""
    line = b""
    while not line.endswith(b"\n"):
        chunk = s.recv(1)
        if not chunk:
            raise ConnectionError(f"closed after {line!r}")
        line += chunk
    return line.decode()


def chat(port, count):
    clients = connect_all(port, count)
    for s in clients:
        s.settimeout(30)
    for s in clients:
        if not read_line(s).startswith("welcome"):
            return "FAIL no welcome line"
    clients[0].send(b"hello everyone\n")
    for i, s in enumerate(clients[1:], start=1):
        line = read_line(s)
        if not line.rstrip("\n").endswith(": hello everyone"):
            return f"FAIL client {i} heard {line!r}"
    for s in clients:
        s.close()
    return f"OK {count - 1} clients heard it"


mode, port = sys.argv[1], int(sys.argv[2])
try:
    if mode == "echo":
        print(echo(port, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])), flush=True)
    else:
        print(chat(port, int(sys.argv[3])), flush=True)
except Exception as e:  # one summary line, whatever happened
    print(f"FAIL {type(e).__name__}: {e}", flush=True)
