"""A python3 peer on datagram sockets: UDP, unix datagram and multicast on the loopback interface.

argv: server HOST               -- binds HOST:0, prints LISTENING port; for each datagram prints
                                   FROM <sender port> <length> and answers b"echo:" + data; ends after b"quit"
      client HOST PORT N        -- sends N datagrams "msg i" (and one of bytes 0..255), checks each echo,
                                   prints OK <echoes checked> FROM <port the echoes came from>
      unix-server PATH          -- binds PATH (a unix datagram socket), prints LISTENING 0, then as server
      unix-client PATH MESSAGE  -- binds an abstract name of its own, sends MESSAGE, prints GOT <reply>
      unix-unnamed PATH MESSAGE -- sends MESSAGE from an unbound (unnamed) socket, prints SENT
      mcast-receive GROUP       -- binds GROUP:0, joins GROUP on 127.0.0.1, prints LISTENING port, prints GOT <data>
      mcast-send GROUP PORT MESSAGE -- sends MESSAGE to GROUP:PORT by the loopback interface, prints SENT
"""
import os, socket, struct, sys

mode = sys.argv[1]

def serve(sock):
    while True:
        data, sender = sock.recvfrom(70000)
        port = sender[1] if isinstance(sender, tuple) else sender
        print("FROM", port, len(data), flush=True)
        sock.sendto(b"echo:" + data, sender)
        if data == b"quit":
            return

if mode == "server":
    host = sys.argv[2]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(30)
    sock.bind((host, 0))
    print("LISTENING", sock.getsockname()[1], flush=True)
    serve(sock)
elif mode == "client":
    host, port, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(10)
    messages = [("msg %d" % i).encode() for i in range(count)] + [bytes(range(256))]
    senders = set()
    for message in messages:
        sock.sendto(message, (host, port))
        echo, sender = sock.recvfrom(70000)
        if echo != message:
            print("MISMATCH", message, echo, flush=True)
            sys.exit(1)
        senders.add(sender[1])
    print("OK", len(messages), "FROM", ",".join(map(str, sorted(senders))), flush=True)
elif mode == "unix-server":
    path = sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.settimeout(30)
    sock.bind(path)
    print("LISTENING 0", flush=True)
    try:
        serve(sock)
    finally:
        os.unlink(path)
elif mode == "unix-client":
    path, message = sys.argv[2], sys.argv[3]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.settimeout(10)
    sock.bind("\0pssockets-python-%d" % os.getpid())
    sock.sendto(message.encode(), path)
    reply, _ = sock.recvfrom(70000)
    print("GOT", reply.decode(), flush=True)
elif mode == "unix-unnamed":
    path, message = sys.argv[2], sys.argv[3]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.sendto(message.encode(), path)
    print("SENT", flush=True)
elif mode == "mcast-receive":
    group = sys.argv[2]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(10)
    sock.bind((group, 0))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                    struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("127.0.0.1")))
    print("LISTENING", sock.getsockname()[1], flush=True)
    data, _ = sock.recvfrom(70000)
    print("GOT", data.decode(), flush=True)
elif mode == "mcast-send":
    group, port, message = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)
    sock.sendto(message.encode(), (group, port))
    print("SENT", flush=True)
