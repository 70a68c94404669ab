# Why malloc cannot compact: a program holds offsets (pointers). Only the
# owner of a block can follow it when it moves, by using what realloc returned.
policy first
a = alloc 100
b = alloc 100
p = realloc $a 1000
q = alloc 100
vars
expect ESTALE free $a
free $p
