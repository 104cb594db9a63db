"""A peer that speaks length-prefixed messages, as the seeds' "5 numeric characters" protocol.

Prints LISTENING <port>; accepts one client; sends each message of argv[3:] framed with argv[1]
(e.g. '!I' for a 4-byte big-endian prefix, '<H' little-endian, 'ascii5' for five digits), one byte
per send with TCP_NODELAY and a tiny pause between bytes (a slow peer); then reads argv[2] framed
messages from the client and prints "GOT <text>" for each.
"""
import socket, struct, sys, time
from peer import accept_one

fmt, expected, messages = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
conn = accept_one()
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def frame(data):
    if fmt.startswith("ascii"):
        return f"{len(data):0{int(fmt[5:])}d}".encode() + data
    return struct.pack(fmt, len(data)) + data


def recv_exactly(n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise SystemExit("FAIL end of stream")
        data += chunk
    return data


for text in messages:
    for byte in frame(text.encode()):
        conn.send(bytes([byte]))
        time.sleep(0.0005)  # the peer's own pace, not synchronisation
for _ in range(expected):
    header = recv_exactly(int(fmt[5:]) if fmt.startswith("ascii") else struct.calcsize(fmt))
    length = int(header) if fmt.startswith("ascii") else struct.unpack(fmt, header)[0]
    print("GOT", recv_exactly(length).decode(), flush=True)
conn.close()
