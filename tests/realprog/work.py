# SPDX-License-Identifier: GPL-2.0
# work.py: a deterministic python3 workload for tests/realprog (run with
# -I -S, so only the few stdlib modules shipped into the VM are needed).
# Everything printed is sorted or computed: the output must not depend on
# the allocator, addresses or hash seeds, so a run under the shim can be
# compared byte for byte with a plain one.
import json
import threading
import zlib

# Dicts, lists and strings of every size, resized as they grow.
table = {}
for i in range(20000):
    table.setdefault(i % 97, []).append(("item-%d" % i) * (1 + i % 5))
sizes = sorted((k, len(v), sum(len(s) for s in v)) for k, v in table.items())
print("table", len(table), sizes[:3], sizes[-1])

# Big buffers (well over pymalloc's 512 bytes: these reach malloc).
blob = bytearray()
for i in range(3000):
    blob += bytes((i * j) & 0xFF for j in range(64))
packed = zlib.compress(bytes(blob), 6)
print("blob", len(blob), "packed", len(packed), "crc", zlib.crc32(packed))
assert zlib.decompress(packed) == bytes(blob)

# JSON round trip of a nested structure.
doc = {"rows": [{"id": i, "name": "n%05d" % i, "tags": ["t%d" % (i % 7)] * (i % 4)}
                for i in range(5000)]}
text = json.dumps(doc, sort_keys=True)
back = json.loads(text)
print("json", len(text), back["rows"][4999]["name"], back == doc)

# Threads allocating at once.
results = [0] * 4


def work(n):
    acc = []
    for i in range(4000):
        acc.append(str(i * n) * 20)
    results[n] = sum(len(s) for s in acc)


threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", results)
print("sorted", sorted(str(i * 7919 % 10007) for i in range(30000))[::5000])
