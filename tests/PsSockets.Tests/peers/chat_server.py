"""The book's rudimentary chat server (chapter 20-A-1), in python3, on loopback and an ephemeral port.

It greets, then alternates: prints the client's message as "C> ...", reads its own reply from its stdin after the
prompt "S> ", sends it, until the client says FIN; then it sends "fin" and closes. Prints LISTENING <port> once
bound, and "Connexion interrompue." at the end. One change from the book: the client's message is compared without
its line ending, since a person at a terminal ends each message with Enter (the book's own client sends none).
"""
import socket, sys

HOST = "127.0.0.1"
mySocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    mySocket.bind((HOST, 0))
except socket.error:
    print("La liaison du socket à l'adresse choisie a échoué.")
    sys.exit(1)
mySocket.listen(2)
mySocket.settimeout(60)
print("LISTENING", mySocket.getsockname()[1], flush=True)

print("Serveur prêt, en attente de requêtes ...", flush=True)
connexion, adresse = mySocket.accept()
connexion.settimeout(60)
print("Client connecté, adresse IP %s, port %s" % (adresse[0], adresse[1]), flush=True)

msgServeur = "Vous êtes connecté au serveur Marcel. Envoyez vos messages."
connexion.send(msgServeur.encode("Utf8"))
msgClient = connexion.recv(1024).decode("Utf8").rstrip("\r\n")
while 1:
    print("C>", msgClient, flush=True)
    if msgClient.upper() == "FIN" or msgClient == "":
        break
    msgServeur = input("S> ")
    connexion.send(msgServeur.encode("Utf8"))
    msgClient = connexion.recv(1024).decode("Utf8").rstrip("\r\n")

connexion.send("fin".encode("Utf8"))
print("Connexion interrompue.", flush=True)
connexion.close()
mySocket.close()
