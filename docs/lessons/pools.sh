# Pools (after mm/slub.c): small requests share runs of equal slots, and a
# slot has no header. Run it after sixty blocks of 125 bytes (see
# docs/teaching.md): the 128-byte class then has four runs' worth of small
# blocks live, so its next request carves a run and takes its first slot.
a = alloc 125
b = alloc 124
c = alloc 123
free $b
freelist
dump
expect EALREADY free $b
expect EBADMSG free $a+16
fill $a-16 1 0
expect EUCLEAN free $c
freelist
check
