"""Python's struct, as the reference for ConvertTo-/ConvertFrom-SocketBytes.

  pack FORMAT JSON_VALUES   prints the packed bytes as hex
  unpack FORMAT HEX         prints the values as JSON (bytes as hex strings)
  batch                     reads one JSON request a line from stdin and prints one answer a line:
                            {"op": "pack", "fmt": F, "values": [V...]} -> {"hex": H} or {"error": E}
                            {"op": "unpack", "fmt": F, "hex": H}       -> {"values": [V...]} or {"error": E}
                            each V tagged as text: "i:DECIMAL", "b:1" or "b:0" (a bool),
                            "d:16 HEX DIGITS" (a float as its IEEE 754 double, big-endian), "x:HEX" (bytes)
"""
import json, struct, sys


def untag(v):
    kind, text = v.split(":", 1)
    if kind == "i":
        return int(text)
    if kind == "b":
        return text == "1"
    if kind == "d":
        return struct.unpack(">d", bytes.fromhex(text))[0]
    return bytes.fromhex(text)


def tag(v):
    if isinstance(v, bool):
        return "b:1" if v else "b:0"
    if isinstance(v, int):
        return "i:%d" % v
    if isinstance(v, float):
        return "d:" + struct.pack(">d", v).hex()
    return "x:" + v.hex()


def answer(request):
    try:
        if request["op"] == "pack":
            return {"hex": struct.pack(request["fmt"], *[untag(v) for v in request["values"]]).hex()}
        return {"values": [tag(v) for v in struct.unpack(request["fmt"], bytes.fromhex(request["hex"]))]}
    except (struct.error, OverflowError, ValueError, TypeError) as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}


mode = sys.argv[1]
if mode == "batch":
    for line in sys.stdin:
        print(json.dumps(answer(json.loads(line))))
elif mode == "pack":
    fmt, arg = sys.argv[2:4]
    values = [bytes.fromhex(v[4:]) if isinstance(v, str) and v.startswith("hex:") else v for v in json.loads(arg)]
    print(struct.pack(fmt, *values).hex())
else:
    fmt, arg = sys.argv[2:4]
    values = struct.unpack(fmt, bytes.fromhex(arg))
    print(json.dumps(["hex:" + v.hex() if isinstance(v, bytes) else v for v in values]))
