"""The seeds' echo server: accepts clients (each on a thread) and sends back every byte until EOF.

Prints LISTENING <port> once bound. argv: [family: 4|6] [max_clients] [greeting]
With a greeting, each client is sent that line first (a server that speaks first, as SMTP and SSH do).
"""
import socket, sys, threading

family = socket.AF_INET6 if len(sys.argv) > 1 and sys.argv[1] == "6" else socket.AF_INET
max_clients = int(sys.argv[2]) if len(sys.argv) > 2 else 1
greeting = (sys.argv[3] + "\n").encode() if len(sys.argv) > 3 else b""
srv = socket.socket(family, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
srv.listen(16)
srv.settimeout(60)
print("LISTENING", srv.getsockname()[1], flush=True)

def serve(conn):
    with conn:
        conn.settimeout(60)
        conn.sendall(greeting)
        while True:
            data = conn.recv(65536)
            if not data:  # recv returning 0: the peer closed
                break
            conn.sendall(data)
    print("CLIENT DONE", flush=True)

threads = []
for _ in range(max_clients):
    conn, _ = srv.accept()
    t = threading.Thread(target=serve, args=(conn,))
    t.start()
    threads.append(t)
for t in threads:
    t.join()
srv.close()
