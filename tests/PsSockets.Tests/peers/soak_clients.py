"""Mixed clients for the soak: many connections at once against the soak's handler server, every answer checked.

    soak_clients.py PORT SECONDS INTERVAL WORKERS FAULT_WORKERS SERVER_TIMEOUT [SEED]

WORKERS threads run well-behaved sessions back to back for SECONDS, FAULT_WORKERS threads run misbehaving
ones; each session is one connection whose first line names its kind (the server's protocol):

    echo            lines, each echoed back                  (server: Receive-SocketData -Line -Continuous)
    hash            length-prefixed messages (4-byte big-endian), each answered with its SHA-256 in hex
                                                             (server: -LengthPrefix 4 -Continuous)
    upload N        N bytes, answered with their SHA-256     (server: -Count N)
    stream          bytes until the client shuts down its sending side, answered with "length sha256"
                                                             (server: -ToEnd)
    download N      the server sends N bytes of the misbehaving peer's pattern, then closes
                                                             (server: Send-SocketData of a stream)

Every session ends with the client reading to the end of the stream: nothing may follow the last answer.
The misbehaving sessions use misbehaving_peer.py's steps (written once for the whole suite); each fault
worker cycles through them in this order:

    drip-line       an echo session whose line arrives one byte every 10 ms: still answered right
    reset           upload N, part of the bytes, then a reset (SO_LINGER 0): the server drops it
    truncate        hash, a prefix announcing 100 bytes, 40 of them, then FIN: the server closes without answering
    drip-prefix     a hash session whose prefix and message arrive one byte every 10 ms: still answered right
    stall           upload N, part of the bytes, then silence: the server gives up after SERVER_TIMEOUT and closes

Sessions that must succeed (the well-behaved and the drip ones) count an error for any wrong byte, missing
answer or failure; reset, stall and truncate sessions count as faults, and as a "surprise" only when the
server does something else than drop them (answers them, or does not close a stalled one).

Every INTERVAL seconds it prints "TICK {json}" with the cumulative counts, and at the end
"DONE {json}"; the test reads those lines (and samples the server process at each TICK).
"""
import hashlib, json, random, socket, sys, threading, time

import misbehaving_peer as peer

peer.say = lambda *words: None  # the peer's steps report on stdout; here the counts do

GOOD = ("echo", "hash", "upload", "stream", "download")
SLOW = ("drip-line", "drip-prefix")
FAULTS = ("reset", "stall", "truncate")
FAULT_CYCLE = ("drip-line", "reset", "truncate", "drip-prefix", "stall")
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_\u00e9\u00fc\u20ac\u2713\u4e2d"
CLIENT_TIMEOUT = 120.0  # how long a client waits for any one answer: clients also queue in the server's backlog


class Mismatch(Exception):
    pass


def sha(data):
    return hashlib.sha256(data).hexdigest()


def expect(what, got, wanted):
    if got != wanted:
        raise Mismatch(f"{what}: expected {wanted!r:.120}, got {got!r:.120}")


class Session:
    """One connection: a socket with a reader of lines and exact counts over it."""

    def __init__(self, port, first_line):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT)
        self.pending = bytearray()
        self.sock.sendall(first_line.encode() + b"\n")

    def line(self):
        while b"\n" not in self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Mismatch(f"the server closed before a whole line (had {bytes(self.pending)!r:.80})")
            self.pending += chunk
        end = self.pending.index(b"\n")
        line = bytes(self.pending[:end])
        del self.pending[: end + 1]
        return line

    def end(self):
        """Reads to the end of the stream: nothing may follow the last answer."""
        count, _, how = peer.read(self.sock, None)
        expect("bytes after the last answer", len(self.pending) + count, 0)
        expect("how the server ended the session", how, "EOF")

    def close(self):
        self.sock.close()


def echo(port, rng):
    s = Session(port, "echo")
    moved = 0
    try:
        for _ in range(rng.randrange(1, 20)):
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 200))).encode()
            s.sock.sendall(text + b"\n")
            expect("echoed line", s.line(), text)
            moved += 2 * len(text)
        s.sock.shutdown(socket.SHUT_WR)
        s.end()
    finally:
        s.close()
    return moved


def hash_messages(port, rng):
    s = Session(port, "hash")
    moved = 0
    try:
        for _ in range(rng.randrange(1, 8)):
            message = rng.randbytes(rng.choice((0, 1, rng.randrange(2, 4096), rng.randrange(4096, 65536))))
            s.sock.sendall(len(message).to_bytes(4, "big") + message)
            expect("hash of a length-prefixed message", s.line().decode(), sha(message))
            moved += len(message)
        s.sock.shutdown(socket.SHUT_WR)
        s.end()
    finally:
        s.close()
    return moved


def upload(port, rng):
    data = rng.randbytes(rng.choice((0, rng.randrange(1, 262144))))
    s = Session(port, f"upload {len(data)}")
    try:
        s.sock.sendall(data)
        expect("hash of an upload", s.line().decode(), sha(data))
        s.end()
    finally:
        s.close()
    return len(data)


def stream(port, rng):
    data = rng.randbytes(rng.choice((0, rng.randrange(1, 262144))))
    s = Session(port, "stream")
    try:
        s.sock.sendall(data)
        s.sock.shutdown(socket.SHUT_WR)
        expect("length and hash of a stream", s.line().decode(), f"{len(data)} {sha(data)}")
        s.end()
    finally:
        s.close()
    return len(data)


def download(port, rng):
    n = rng.choice((0, rng.randrange(1, 1048576)))
    s = Session(port, f"download {n}")
    try:
        count, digest, how = peer.read(s.sock, None)
        expect("download (length, sha256, end)", (count, digest, how), (n, sha(peer.pattern(n)), "EOF"))
    finally:
        s.close()
    return n


def escaped(data):
    return "".join(f"\\x{b:02x}" for b in data)


def drip_line(port, rng):
    text = "".join(rng.choice("abcdefghij0123456789") for _ in range(rng.randrange(5, 25))).encode()
    s = Session(port, "echo")
    try:
        peer.run(s.sock, "drip:10:" + escaped(text + b"\n"))
        expect("echo of a dripped line", s.line(), text)
        s.sock.shutdown(socket.SHUT_WR)
        s.end()
    finally:
        s.close()
    return 2 * len(text)


def drip_prefix(port, rng):
    message = rng.randbytes(rng.randrange(0, 20))
    s = Session(port, "hash")
    try:
        peer.run(s.sock, "drip:10:" + escaped(len(message).to_bytes(4, "big") + message))
        expect("hash of a dripped message", s.line().decode(), sha(message))
        s.sock.shutdown(socket.SHUT_WR)
        s.end()
    finally:
        s.close()
    return len(message)


def reset(port, rng):
    s = Session(port, "upload 200000")
    peer.run(s.sock, f"bytes:{rng.randrange(1, 100000)}")
    peer.run(s.sock, "reset")  # closes the socket
    return 0


def stall(port, server_timeout):
    s = Session(port, "upload 100000")
    try:
        peer.run(s.sock, "bytes:1000")
        s.sock.settimeout(server_timeout + 60)  # time to be accepted, time out, and close
        count, _, how = peer.read(s.sock, None)
        expect("what a stalled upload got back, and how it ended", (count, how in ("EOF", "RESET")), (0, True))
    finally:
        s.close()
    return 0


def truncate(port):
    s = Session(port, "hash")
    try:
        peer.run(s.sock, "prefix:100")
        peer.run(s.sock, "truncate:40:" + "x" * 100)
        count, _, how = peer.read(s.sock, None)
        expect("what a truncated message got back, and how it ended", (count, how in ("EOF", "RESET")), (0, True))
    finally:
        s.close()
    return 0


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.sessions = {kind: 0 for kind in GOOD + SLOW + FAULTS}
        self.bytes = 0
        self.errors = 0  # sessions that had to succeed and did not
        self.surprises = 0  # faults the server did not simply drop
        self.messages = []

    def done(self, kind, moved):
        with self.lock:
            self.sessions[kind] += 1
            self.bytes += moved

    def failed(self, kind, why):
        with self.lock:
            if kind in FAULTS:
                self.surprises += 1
            else:
                self.errors += 1
            if len(self.messages) < 20:
                self.messages.append(f"{kind}: {why}")

    def snapshot(self, elapsed):
        with self.lock:
            return {"elapsed": round(elapsed, 2), "sessions": dict(self.sessions), "bytes": self.bytes,
                    "errors": self.errors, "surprises": self.surprises, "messages": list(self.messages)}


def main():
    port, seconds, interval = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    workers, fault_workers, server_timeout = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
    seed = int(sys.argv[7]) if len(sys.argv) > 7 else random.randrange(1 << 30)
    counts = Counts()
    started = time.monotonic()
    deadline = started + seconds
    sessions = {
        "echo": echo, "hash": hash_messages, "upload": upload, "stream": stream, "download": download,
        "drip-line": drip_line, "drip-prefix": drip_prefix, "reset": lambda p, r: reset(p, r),
        "stall": lambda p, r: stall(p, server_timeout), "truncate": lambda p, r: truncate(p),
    }

    def work(number, kinds):
        rng = random.Random(seed * 1000 + number)
        turn = number
        while time.monotonic() < deadline:
            kind = rng.choice(kinds) if kinds is GOOD else kinds[turn % len(kinds)]
            turn += 1
            try:
                counts.done(kind, sessions[kind](port, rng))
            except Exception as e:  # every way a session can go wrong is counted, none ends the worker
                counts.failed(kind, f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=work, args=(i, GOOD), daemon=True) for i in range(workers)]
    threads += [threading.Thread(target=work, args=(workers + i, FAULT_CYCLE), daemon=True) for i in range(fault_workers)]
    for t in threads:
        t.start()
    tick = started + interval
    while tick <= deadline:
        time.sleep(max(0.0, tick - time.monotonic()))  # the reporting clock itself, not a wait for anything
        print("TICK", json.dumps(counts.snapshot(time.monotonic() - started)), flush=True)
        tick += interval
    for t in threads:
        t.join()
    summary = counts.snapshot(time.monotonic() - started)
    summary["seed"] = seed
    print("DONE", json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
