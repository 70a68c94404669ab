# Magic numbers and bad frees (OSTEP 17.2, "the header"): the kernel checks
# every header before it believes it; the shell checks its own names.
a = alloc 100
b = alloc 100
expect EBADMSG free $a+32
expect ENXIO free 12345
free $b
expect EALREADY free $b
c = alloc 100
free $b
vars
fill $a-8 8 0
expect EBADMSG free $a
check
