# List orders (OSTEP 17 homework, malloc.py -l): holes of 208 and 112
# bytes between used blocks, then a request of 90 bytes (a 112-byte block).
a = alloc 200
x = alloc 40
b = alloc 100
y = alloc 40
free $a
free $b
n = alloc 90
