"""One side of a small conversation that logs every socket call it makes, to check a trace against.

    conversation_peer.py server            prints LISTENING <port>, accepts one client
    conversation_peer.py client <port>     connects to 127.0.0.1:<port>

The server greets ("220 ready\\r\\n"), answers each line with "echo <line>", answers "BIN\\r\\n" with the 256
byte values, and when the client shuts down sends "bye\\r\\n" and closes. The client says "HELLO\\r\\n", then
"BIN\\r\\n", reads each answer, shuts down sending and reads to the end.

Each call is logged as it returns: "SENT <hex>", "RECV <hex>", "END" (recv returned 0), then "CLOSED".
"""
import socket, sys
from peer import accept_one


def log(*words):
    print(*words, flush=True)


def send(conn, data):
    conn.sendall(data)
    log("SENT", data.hex())


def recv(conn):
    data = conn.recv(65536)
    log("RECV", data.hex()) if data else log("END")
    return data


def read_line(conn, pending):
    while b"\n" not in pending:
        data = recv(conn)
        if not data:
            return None, pending
        pending += data
    line, _, rest = pending.partition(b"\n")
    return line + b"\n", rest


def read_count(conn, count, pending):
    while len(pending) < count:
        data = recv(conn)
        if not data:
            break
        pending += data
    return pending[:count], pending[count:]


def server():
    conn = accept_one()
    send(conn, b"220 ready\r\n")
    pending = b""
    while True:
        line, pending = read_line(conn, pending)
        if line is None:
            break
        send(conn, bytes(range(256)) if line == b"BIN\r\n" else b"echo " + line)
    send(conn, b"bye\r\n")
    conn.close()
    log("CLOSED")


def client(port):
    conn = socket.create_connection(("127.0.0.1", port), timeout=60)
    pending = b""
    _, pending = read_line(conn, pending)
    send(conn, b"HELLO\r\n")
    _, pending = read_line(conn, pending)
    send(conn, b"BIN\r\n")
    _, pending = read_count(conn, 256, pending)
    conn.shutdown(socket.SHUT_WR)
    while recv(conn):
        pass
    conn.close()
    log("CLOSED")


if sys.argv[1] == "server":
    server()
else:
    client(int(sys.argv[2]))
