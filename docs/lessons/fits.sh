# Fit policies (OSTEP 17.3): three holes of 112, 48 and 80 bytes between
# used blocks, then a request of 40 bytes. Where does each policy put it?
a = alloc 100
x = alloc 16
b = alloc 40
y = alloc 16
c = alloc 64
z = alloc 16
free $a
free $b
free $c
n = alloc 40
