"""Python's struct, as the reference for ConvertTo-/ConvertFrom-SocketBytes.

  pack FORMAT JSON_VALUES   prints the packed bytes as hex
  unpack FORMAT HEX         prints the values as JSON (bytes as hex strings)
"""
import json, struct, sys

mode, fmt, arg = sys.argv[1:4]
if mode == "pack":
    values = [bytes.fromhex(v[4:]) if isinstance(v, str) and v.startswith("hex:") else v for v in json.loads(arg)]
    print(struct.pack(fmt, *values).hex())
else:
    values = struct.unpack(fmt, bytes.fromhex(arg))
    print(json.dumps(["hex:" + v.hex() if isinstance(v, bytes) else v for v in values]))
