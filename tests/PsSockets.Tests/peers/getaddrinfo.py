"""Prints, as one JSON line, what getaddrinfo gives for each name: {"name": ["address", ...] or null}.

Usage: getaddrinfo.py FAMILY PORT NAME... (FAMILY: any, inet or inet6)
"""
import json
import socket
import sys

family = {"any": socket.AF_UNSPEC, "inet": socket.AF_INET, "inet6": socket.AF_INET6}[sys.argv[1]]
port = int(sys.argv[2])
answers = {}
for name in sys.argv[3:]:
    try:
        infos = socket.getaddrinfo(name, port, family=family, type=socket.SOCK_STREAM)
        answers[name] = [info[4][0] for info in infos]
    except socket.gaierror:
        answers[name] = None
print(json.dumps(answers), flush=True)
