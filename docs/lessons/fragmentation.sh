# External fragmentation (OSTEP 17.1): enough bytes free, no hole big enough.
policy first
r = alloc 3960K
a = alloc 30K
s = alloc 30K
b = alloc 30K
t = alloc 30K
free $a
free $b
! myheap frag | grep -E '^(free_bytes|largest_free|external_frag)'
expect ENOMEM alloc 40K
