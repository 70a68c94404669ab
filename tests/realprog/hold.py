# SPDX-License-Identifier: GPL-2.0
# hold.py READY RELEASE: allocate 200 blocks of 4000+ bytes (malloc, not
# pymalloc), create the file READY, and keep them until the file RELEASE
# exists (at most 120 s), so the test can look at them in debugfs.
import os
import sys
import time

ready, release = sys.argv[1], sys.argv[2]
held = [bytearray(b"%d" % i) * (4000 + i) for i in range(200)]
open(ready, "w").close()
for _ in range(1200):
    if os.path.exists(release):
        break
    time.sleep(0.1)
print("held", len(held), sum(len(b) for b in held))
