"""Services a network check looks at: each client on a thread, for as long as the peer runs.

Prints LISTENING <port> once bound, and "SERVED <mode>" after each client. argv: mode [text]
  banner   sends the text (default "SSH-2.0-PsSocketsTest") and a CRLF at once, as an SSH server does, then
           waits until the client closes
  trickle  sends the same banner one byte per send (TCP_NODELAY), so it arrives in pieces
  pong     a Redis-like server: answers "PING" with "+PONG\r\n"; any other line with "-ERR unknown command\r\n"
           and closes; closes at the client's EOF
  silent   accepts and reads until the client closes, never sending a byte
"""
import socket, sys, threading

mode = sys.argv[1]
text = sys.argv[2] if len(sys.argv) > 2 else "SSH-2.0-PsSocketsTest"
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
print("LISTENING", srv.getsockname()[1], flush=True)


def drain(conn):
    while conn.recv(4096):
        pass


def serve(conn):
    with conn:
        conn.settimeout(60)
        try:
            if mode == "banner":
                conn.sendall((text + "\r\n").encode())
                drain(conn)
            elif mode == "trickle":
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for b in (text + "\r\n").encode():
                    conn.sendall(bytes([b]))
                drain(conn)
            elif mode == "pong":
                with conn.makefile("rb") as lines:
                    for line in lines:
                        if line.strip() == b"PING":
                            conn.sendall(b"+PONG\r\n")
                        else:
                            conn.sendall(b"-ERR unknown command\r\n")
                            break
            elif mode == "silent":
                drain(conn)
        except OSError:
            pass  # the check closed first (a reset): nothing to serve
    print("SERVED", mode, flush=True)


while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
