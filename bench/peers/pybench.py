#!/usr/bin/env python3
"""The python3 side of the PsSockets benchmark: what a user would write with the socket module.

Two ways to run it:
  pybench.py serve          one JSON command per stdin line, one JSON answer per stdout line
                            (a long-lived peer, so rounds do not pay interpreter start-up);
  pybench.py once '{json}'  one command in a fresh process (memory: its own peak working set).

Every socket has a timeout, everything is on 127.0.0.1, and the process ends by itself when
its stdin closes (the harness died) or after --limit seconds (an alarm), whichever comes first.
"""
import json
import os
import select
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 30.0


def connect(port):
    s = socket.create_connection((HOST, port), timeout=TIMEOUT)
    return s


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def bulk_send(port, total, chunk):
    """sendall of `chunk`-byte buffers until `total` bytes went out (the receiver times it)."""
    buf = bytes(chunk)
    count = total // chunk
    s = connect(port)
    t0 = time.perf_counter()
    sendall = s.sendall
    for _ in range(count):
        sendall(buf)
    s.close()
    return {"elapsed": time.perf_counter() - t0, "bytes": count * chunk}


def send_file(port, path):
    s = connect(port)
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        sent = s.sendfile(f)
    s.close()
    return {"elapsed": time.perf_counter() - t0, "bytes": sent}


def tls_recv_file(port, path, cafile):
    """recv_into a 1 MiB buffer through TLS (trusting cafile) until the peer closes, writing each piece to a file."""
    import ssl
    context = ssl.create_default_context(cafile=cafile)
    s = context.wrap_socket(connect(port), server_hostname="localhost")
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    total = 0
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        while True:
            n = s.recv_into(buf)
            if n == 0:
                break
            f.write(view[:n])
            total += n
    elapsed = time.perf_counter() - t0
    s.close()
    return {"elapsed": elapsed, "bytes": total}


def recv_file(port, path):
    """recv_into a 64 KiB buffer until the peer closes, writing each piece to a file."""
    s = connect(port)
    buf = bytearray(65536)
    view = memoryview(buf)
    total = 0
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        recv_into = s.recv_into
        write = f.write
        while True:
            n = recv_into(buf)
            if n == 0:
                break
            write(view[:n])
            total += n
    elapsed = time.perf_counter() - t0
    s.close()
    return {"elapsed": elapsed, "bytes": total}


def recv_exact(s, n):
    parts = []
    while n:
        b = s.recv(n)
        if not b:
            raise ConnectionError("peer closed")
        parts.append(b)
        n -= len(b)
    return b"".join(parts) if len(parts) != 1 else parts[0]


def ping_pong(port, seconds, size):
    """sendall one message, then recv until the whole echo is back; blocks of 100 round trips for `seconds`."""
    s = connect(port)
    msg = bytes(size)
    n = 0
    clock = time.perf_counter
    t0 = clock()
    while clock() - t0 < seconds:
        for _ in range(100):
            s.sendall(msg)
            got = s.recv(size)
            if len(got) != size:
                got += recv_exact(s, size - len(got))
        n += 100
    elapsed = clock() - t0
    s.close()
    return {"elapsed": elapsed, "count": n}


def connections(count):
    """connect + accept + close (both ends), `count` times, on one listener."""
    lst = socket.socket()
    lst.settimeout(TIMEOUT)
    lst.bind((HOST, 0))
    lst.listen(128)
    port = lst.getsockname()[1]
    t0 = time.perf_counter()
    for _ in range(count):
        c = socket.create_connection((HOST, port), timeout=TIMEOUT)
        a, _ = lst.accept()
        c.close()
        a.close()
    elapsed = time.perf_counter() - t0
    lst.close()
    return {"elapsed": elapsed, "count": count}


def select_call(port, n, calls):
    """n sockets connected to the harness, which makes one readable; time select.select over all."""
    socks = [connect(port) for _ in range(n)]
    try:
        r, _, _ = select.select(socks, [], [], 5)
        if len(r) != 1:
            return {"error": "expected one ready socket, got %d" % len(r)}
        t0 = time.perf_counter()
        for _ in range(calls):
            r, _, _ = select.select(socks, [], [], 1)
        elapsed = time.perf_counter() - t0
        if len(r) != 1:
            return {"error": "expected one ready socket, got %d" % len(r)}
        return {"elapsed": elapsed, "count": calls}
    except ValueError as e:  # select() is limited to descriptors below FD_SETSIZE (1024)
        return {"error": "select.select: %s" % e}
    finally:
        for s in socks:
            s.close()


def checks(ports, concurrency):
    """A connect to each port with asyncio, `concurrency` at a time, as a port scan is written in python3."""
    import asyncio

    async def one(slots, port):
        async with slots:
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 5)
                writer.close()
                return "open"
            except ConnectionRefusedError:
                return "refused"
            except asyncio.TimeoutError:
                return "timeout"

    async def all_ports():
        slots = asyncio.Semaphore(concurrency)
        return await asyncio.gather(*(one(slots, p) for p in ports))

    t0 = time.perf_counter()
    results = asyncio.run(all_ports())
    elapsed = time.perf_counter() - t0
    refused = results.count("refused")
    if refused != len(ports):
        return {"error": "expected %d refused ports, got %d" % (len(ports), refused)}
    return {"elapsed": elapsed, "count": len(ports)}


def lines(port):
    """readline over makefile (text, UTF-8), counting lines until the peer closes."""
    s = connect(port)
    f = s.makefile("r", encoding="utf-8", newline="\n")
    n = 0
    t0 = time.perf_counter()
    readline = f.readline
    while True:
        line = readline()
        if not line:
            break
        n += 1
    elapsed = time.perf_counter() - t0
    f.close()
    s.close()
    return {"elapsed": elapsed, "count": n}


def mem_recv(port):
    """recv(64 KiB) until the peer closes, each piece a new bytes object; reports this process's peak RSS."""
    s = connect(port)
    before_rss = status_kb("VmRSS")
    reset = reset_peak()
    total = 0
    t0 = time.perf_counter()
    recv = s.recv
    while True:
        b = recv(65536)
        if not b:
            break
        total += len(b)
    elapsed = time.perf_counter() - t0
    s.close()
    return {"elapsed": elapsed, "bytes": total, "rss_before_kb": before_rss,
            "peak_kb": status_kb("VmHWM"), "peak_reset": reset}


OPS = {
    "bulk_send": lambda c: bulk_send(c["port"], c["bytes"], c["chunk"]),
    "send_file": lambda c: send_file(c["port"], c["path"]),
    "recv_file": lambda c: recv_file(c["port"], c["path"]),
    "tls_recv_file": lambda c: tls_recv_file(c["port"], c["path"], c["cafile"]),
    "ping_pong": lambda c: ping_pong(c["port"], c["seconds"], c["size"]),
    "connections": lambda c: connections(c["count"]),
    "select": lambda c: select_call(c["port"], c["n"], c["calls"]),
    "lines": lambda c: lines(c["port"]),
    "checks": lambda c: checks(c["ports"], c["concurrency"]),
    "mem_recv": lambda c: mem_recv(c["port"]),
    "ping": lambda c: {"version": sys.version.split()[0]},
}


def run(command):
    cpu = command.get("cpu")
    original = os.sched_getaffinity(0) if cpu is not None else None
    try:
        if cpu is not None:  # the harness pins latency-bound runs to one CPU, this process too
            os.sched_setaffinity(0, {cpu})
        return OPS[command["op"]](command)
    except Exception as e:  # report, do not die: the harness prints n/a for this cell
        return {"error": "%s: %s" % (type(e).__name__, e)}
    finally:
        if original is not None:
            os.sched_setaffinity(0, original)


def watchdog(limit):
    # Ends the process if the harness vanished without closing our stdin, or a call hung.
    def die():
        os._exit(3)
    t = threading.Timer(limit, die)
    t.daemon = True
    t.start()


def main(argv):
    limit = 900.0
    if "--limit" in argv:
        i = argv.index("--limit")
        limit = float(argv[i + 1])
        del argv[i:i + 2]
    watchdog(limit)
    if len(argv) >= 2 and argv[1] == "once":
        print(json.dumps(run(json.loads(argv[2]))), flush=True)
        return 0
    for line in sys.stdin:  # EOF: the harness is gone
        line = line.strip()
        if line:
            print(json.dumps(run(json.loads(line))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
