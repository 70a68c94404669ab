# Splitting and coalescing (OSTEP 17.2): first fit, one list in address order.
policy first
a = alloc 100
b = alloc 200
c = alloc 300
free $b
free $a
free $c
