"""A line server for Enter-SocketSession: greets, answers each line, sends binary on request, and pushes or closes
when its stdin says so, so a test decides when something arrives while the user is typing.

argv[1] "client <port>": instead a client that connects (printing CONNECTED), sends each stdin line, prints each line received, and
prints EOF when the other side closes (what ncat does not do while its stdin is open).
Prints LISTENING <port> once bound (argv[1] "udp" for a datagram peer that answers each datagram to its sender),
then GOT <repr of the line with its ending> for each line received.
  line "BIN"     -> 8 bytes that are not text: 00 01 02 ff 'b' 'i' 'n' 1b
  line "BYE"     -> "bye" then it closes
  any other line -> "you said: <line>"
stdin "push <text>" sends <text> and a newline at once; stdin "close" closes the connection.
"""
import socket, sys, threading

udp = len(sys.argv) > 1 and sys.argv[1] == "udp"
BINARY = b"\x00\x01\x02\xffbin\x1b"


def answer(line):
    text = line.rstrip(b"\r\n")
    if text == b"BIN":
        return BINARY
    if text == b"BYE":
        return b"bye\n"
    return b"you said: " + text + b"\n"


if len(sys.argv) > 2 and sys.argv[1] == "client":
    c = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=60)
    print("CONNECTED", flush=True)

    def send_stdin():
        for line in sys.stdin:
            c.sendall(line.encode())

    threading.Thread(target=send_stdin, daemon=True).start()
    for line in c.makefile("rb"):
        print(line.decode().rstrip("\n"), flush=True)
    print("EOF", flush=True)
    sys.exit(0)

if udp:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(60)
    print("LISTENING", s.getsockname()[1], flush=True)
    while True:
        data, sender = s.recvfrom(65536)
        print("GOT", repr(data), "FROM", sender[1], flush=True)
        if data.rstrip(b"\r\n") == b"BYE":
            s.sendto(b"bye\n", sender)
            break
        s.sendto(answer(data), sender)
    sys.exit(0)

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(60)
print("LISTENING", srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
srv.close()
conn.settimeout(60)
lock = threading.Lock()


def commands():
    for command in sys.stdin:
        command = command.rstrip("\n")
        with lock:
            if command.startswith("push "):
                conn.sendall(command[5:].encode() + b"\n")
                print("PUSHED", flush=True)
            elif command == "close":
                conn.shutdown(socket.SHUT_RDWR)
                print("CLOSED", flush=True)
                return


threading.Thread(target=commands, daemon=True).start()
conn.sendall(b"hello from the peer\n")
buffer = b""
try:
    while True:
        data = conn.recv(65536)
        if not data:
            print("EOF", flush=True)
            break
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            line += b"\n"
            print("GOT", repr(line), flush=True)
            with lock:
                conn.sendall(answer(line))
            if line.rstrip(b"\r\n") == b"BYE":
                conn.close()
                print("CLOSED", flush=True)
                sys.exit(0)
except OSError as e:
    print("ENDED", e, flush=True)
