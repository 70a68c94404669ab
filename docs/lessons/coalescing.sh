# Coalescing (OSTEP 17.2, malloc.py -C): free three neighbours, then ask
# for a block as large as the three together.
a = alloc 100
b = alloc 100
c = alloc 100
z = alloc 16
free $a
free $b
free $c
n = alloc 300
