"""A peer that misbehaves on cue: the suite's one scriptable fault injector.

    misbehaving_peer.py [--connect PORT | --unix PATH] [--ipv6] [--rcvbuf N] [--backlog N] STEP...

Without --connect it listens on an ephemeral loopback port (or on the unix PATH), prints
"LISTENING <port>", accepts one client and prints "ACCEPTED". With --connect it connects to
127.0.0.1 (or ::1) PORT and prints "CONNECTED". Then it runs the steps in order, printing one
line after each, so a test waits on lines, never on a clock:

    send:TEXT        sends TEXT (python escapes: \\n, \\r, \\x00)           -> SENT <n>
    bytes:N          sends N bytes of a fixed pattern                       -> SENT <n> <sha256>
    prefix:N         sends N as a 4-byte big-endian length prefix            -> SENT 4
    drip:MS:TEXT     sends TEXT one byte every MS milliseconds              -> DRIPPED <n>
    truncate:K:TEXT  sends the first K bytes of TEXT, then FIN (shutdown)   -> TRUNCATED <k>
    read:N           reads exactly N bytes (less if EOF or reset comes)     -> READ <n> <sha256> [EOF|RESET]
    readall          reads until EOF                                        -> EOF <n> <sha256> | RESET <n> <sha256>
    echo             sends back what it reads until EOF, then FIN           -> ECHOED <n>
    stall            reads and sends nothing until a line arrives on stdin  -> STALLED (before), RESUMED (after)
    shut:wr|rd       half-closes one direction                              -> SHUT WR | SHUT RD
    reset            closes with SO_LINGER 0: the peer's next call gets RST -> RESET
    close            closes gracefully                                     -> CLOSED

--rcvbuf shrinks the receive buffer before the connection exists, so a sender fills it quickly.
After the last step the peer waits for stdin to close, keeping the connection as the steps left it.
"""
import argparse, hashlib, socket, struct, sys, time

PATTERN = bytes(range(256)) * 256  # 64 KiB, repeated to make any length


def pattern(n):
    out = bytearray()
    while len(out) < n:
        out += PATTERN[: n - len(out)]
    return bytes(out)


def unescape(text):
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")


def say(*words):
    print(*words, flush=True)


def open_connection(args):
    family = socket.AF_UNIX if args.unix else socket.AF_INET6 if args.ipv6 else socket.AF_INET
    host = "::1" if args.ipv6 else "127.0.0.1"
    s = socket.socket(family, socket.SOCK_STREAM)
    if args.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    if args.connect:
        s.connect((host, args.connect))
        say("CONNECTED")
        return s
    s.bind(args.unix if args.unix else (host, 0))
    s.listen(args.backlog)
    say("LISTENING", 0 if args.unix else s.getsockname()[1])
    conn, _ = s.accept()
    s.close()
    say("ACCEPTED")
    return conn


def read(conn, limit):
    """Reads up to limit bytes (None: until EOF); returns (count, sha256, how it ended)."""
    digest, count, end = hashlib.sha256(), 0, ""
    while limit is None or count < limit:
        try:
            chunk = conn.recv(65536 if limit is None else min(65536, limit - count))
        except ConnectionResetError:
            end = "RESET"
            break
        if not chunk:
            end = "EOF"
            break
        digest.update(chunk)
        count += len(chunk)
    return count, digest.hexdigest(), end


def run(conn, step):
    verb, _, rest = step.partition(":")
    if verb == "send":
        data = unescape(rest)
        conn.sendall(data)
        say("SENT", len(data))
    elif verb == "bytes":
        data = pattern(int(rest))
        conn.sendall(data)
        say("SENT", len(data), hashlib.sha256(data).hexdigest())
    elif verb == "prefix":
        conn.sendall(struct.pack("!I", int(rest)))
        say("SENT", 4)
    elif verb == "drip":
        ms, _, text = rest.partition(":")
        data = unescape(text)
        for i in range(len(data)):
            if i:
                time.sleep(int(ms) / 1000)  # the fault itself: a slow peer, not a wait for anything
            conn.sendall(data[i : i + 1])
        say("DRIPPED", len(data))
    elif verb == "truncate":
        k, _, text = rest.partition(":")
        data = unescape(text)[: int(k)]
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        say("TRUNCATED", len(data))
    elif verb == "read":
        count, sha, end = read(conn, int(rest))
        say("READ", count, sha, *([end] if end else []))
    elif verb == "readall":
        count, sha, end = read(conn, None)
        say(end, count, sha)
    elif verb == "echo":
        total = 0
        while chunk := conn.recv(65536):
            conn.sendall(chunk)
            total += len(chunk)
        conn.shutdown(socket.SHUT_WR)
        say("ECHOED", total)
    elif verb == "stall":
        say("STALLED")
        sys.stdin.readline()
        say("RESUMED")
    elif verb == "shut":
        conn.shutdown(socket.SHUT_WR if rest == "wr" else socket.SHUT_RD)
        say("SHUT", rest.upper())
    elif verb == "reset":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        say("RESET")
    elif verb == "close":
        conn.close()
        say("CLOSED")
    else:
        raise SystemExit(f"unknown step {step!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connect", type=int)
    parser.add_argument("--unix")
    parser.add_argument("--ipv6", action="store_true")
    parser.add_argument("--rcvbuf", type=int)
    parser.add_argument("--backlog", type=int, default=1)
    parser.add_argument("steps", nargs="*")
    args = parser.parse_args()
    conn = open_connection(args)
    for step in args.steps:
        run(conn, step)
    sys.stdin.read()


if __name__ == "__main__":
    main()
