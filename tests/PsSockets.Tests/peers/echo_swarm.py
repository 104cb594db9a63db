"""Many echo clients at once, from one process: opens CLIENTS connections to 127.0.0.1:PORT together,
then each one sends MESSAGES lines, one at a time, checks that each comes back byte for byte, shuts
down its sending side and waits for the server to close the connection. One selectors loop drives all.

argv: port clients messages [timeout_seconds]
Prints one line: "OK clients=N messages=M bytes=B connected=Xs seconds=Ys", or "FAIL why" and exits 1.
"""
import errno, random, resource, selectors, socket, sys, time

port, clients, messages = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 120.0
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < clients + 64:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, clients + 64), hard))

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_\u00e9\u00fc\u20ac\u2713\u4e2d"


def message(cid, seq):
    rng = random.Random(cid * 100_003 + seq)
    payload = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 120)))
    return f"{cid} {seq} {payload}\n".encode()


class Client:
    def __init__(self, cid):
        self.cid, self.seq = cid, 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.phase = "connecting"
        self.expected = b""
        self.received = bytearray()
        self.out = b""

    def next_message(self):
        self.expected = message(self.cid, self.seq)
        self.out = self.expected
        self.received.clear()


def fail(why):
    print("FAIL", why, flush=True)
    sys.exit(1)


sel = selectors.DefaultSelector()
started = time.monotonic()
swarm = [Client(i) for i in range(clients)]
for c in swarm:
    err = c.sock.connect_ex(("127.0.0.1", port))
    if err not in (0, errno.EINPROGRESS):
        fail(f"client {c.cid} connect: {errno.errorcode.get(err, err)}")
    sel.register(c.sock, selectors.EVENT_WRITE, c)

connecting, done, total_bytes, connected_at = clients, 0, 0, None
deadline = started + timeout
while done < clients:
    if time.monotonic() > deadline:
        phases = {}
        for c in swarm:
            phases[c.phase] = phases.get(c.phase, 0) + 1
        fail(f"timed out after {timeout}s: {phases}, {sum(c.seq for c in swarm)} of {clients * messages} messages echoed")
    for key, events in sel.select(timeout=1.0):
        c = key.data
        if c.phase == "connecting":
            err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                fail(f"client {c.cid} connect: {errno.errorcode.get(err, err)}")
            c.phase = "echo"
            connecting -= 1
            if connecting == 0:
                connected_at = time.monotonic() - started
            c.next_message()
        if events & selectors.EVENT_WRITE and c.out:
            try:
                sent = c.sock.send(c.out)
            except BlockingIOError:
                sent = 0
            except OSError as e:
                fail(f"client {c.cid} message {c.seq}: send: {e}")
            c.out = c.out[sent:]
        if events & selectors.EVENT_READ:
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                fail(f"client {c.cid} message {c.seq}: receive: {e}")
            if not data:
                if c.phase != "closing":
                    fail(f"client {c.cid}: the server closed after {c.seq} of {messages} messages")
                c.phase = "done"
                done += 1
                sel.unregister(c.sock)
                c.sock.close()
                continue
            if c.phase == "closing":
                fail(f"client {c.cid}: {len(data)} bytes after its last echo: {data[:60]!r}")
            c.received += data
            if not c.expected.startswith(c.received):
                fail(f"client {c.cid} message {c.seq}: expected {c.expected!r}, got {bytes(c.received)!r}")
            if len(c.received) == len(c.expected):
                total_bytes += len(c.expected)
                c.seq += 1
                if c.seq == messages:
                    c.sock.shutdown(socket.SHUT_WR)
                    c.phase = "closing"
                else:
                    c.next_message()
        if c.phase != "done":
            wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out else 0)
            if key.events != wanted:
                sel.modify(c.sock, wanted, c)

print(f"OK clients={clients} messages={messages} bytes={total_bytes} connected={connected_at:.2f}s seconds={time.monotonic() - started:.2f}s", flush=True)
