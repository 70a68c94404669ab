#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# myheap_reload.sh: unload/reload loops of myheap.ko inside the test VM
# (busybox sh, as root, the module loaded by the VM's init), printing TAP
# with a kselftest-style totals line:
#   - rmmod is refused while /dev/myheap is open, allowed after the close;
#   - reload with each policy and region sizes from 4K to 256M: parameters
#     show in sysfs, the device works (a few ioctl selftests);
#   - the OSTEP knobs at load (list_order=, coalesce=) show in GET_INFO;
#   - nonsense parameters make insmod fail cleanly with a message;
#   - a process killed while holding blocks does not keep the module in.
# Leaves the module loaded with default parameters.

ko=${MYHEAP_KO:-/myheap/modules/myheap.ko}
params=/sys/module/myheap/parameters
n=0
pass=0
fail=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
# t DESC CMD...: one test point, ok if CMD succeeds.
t() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
loaded() { [ -d /sys/module/myheap ]; }
unload() { ! loaded || rmmod myheap; }
param_is() { [ "$(cat "$params/$1")" = "$2" ]; }
sanity() {
	myheap_ioctl_test -t get_info -t alloc_and_free -t alloc_zero_and_align \
		>/tmp/reload-sanity.log 2>&1 || { cat /tmp/reload-sanity.log; return 1; }
}

echo "TAP version 13"

# --- unload while in use -------------------------------------------------
loaded || insmod "$ko"
exec 3</dev/myheap
t "refcnt counts the open file" [ "$(cat /sys/module/myheap/refcnt)" -ge 1 ]
if rmmod myheap 2>/dev/null; then
	not_ok "rmmod refused while /dev/myheap is open"
	insmod "$ko"
else
	ok "rmmod refused while /dev/myheap is open"
fi
exec 3<&-
t "rmmod allowed after the close" rmmod myheap
t "module gone after rmmod" sh -c '! [ -d /sys/module/myheap ] && ! [ -e /dev/myheap ]'

# --- reload loops --------------------------------------------------------
for spec in "64K first 0" "1M next 1" "4096 best 0" "16M worst 1" \
	"256M segregated 0" "128k buddy 1" "4M segregated 1"; do
	# shellcheck disable=SC2086 # split into size, policy, poison
	set -- $spec
	size=$1 policy=$2 poison=$3
	case $size in
	*[kK]) bytes=$((${size%?} * 1024)) ;;
	*M) bytes=$((${size%?} * 1048576)) ;;
	*) bytes=$size ;;
	esac
	pflag=N
	[ "$poison" = 1 ] && pflag=Y
	unload
	if ! insmod "$ko" region_size="$size" policy="$policy" poison="$poison"; then
		not_ok "insmod region_size=$size policy=$policy poison=$poison"
		continue
	fi
	ok "insmod region_size=$size policy=$policy poison=$poison"
	t "sysfs shows region_size=$bytes policy=$policy poison=$pflag" \
		sh -c "[ \"\$(cat $params/region_size)\" = $bytes ] &&
		       [ \"\$(cat $params/policy)\" = $policy ] &&
		       [ \"\$(cat $params/poison)\" = $pflag ]"
	# shellcheck disable=SC2016 # expanded by the inner sh
	t "device node 0600 after reload ($size, $policy)" \
		sh -c '[ "$(stat -c %a /dev/myheap)" = 600 ]'
	t "device works ($size, $policy)" sanity
done

# --- the OSTEP knobs at load ----------------------------------------------
for spec in "best sizesort- 0" "first insert-front 1" "worst addrsort off"; do
	# shellcheck disable=SC2086 # split into policy, order, coalesce
	set -- $spec
	policy=$1 order=$2 coalesce=$3
	want="policy $policy"
	[ "$order" != addrsort ] && want="$want $order"
	case $coalesce in 0|off) want="$want no-coalesce" ;; esac
	unload
	if ! insmod "$ko" policy="$policy" list_order="$order" coalesce="$coalesce"; then
		not_ok "insmod policy=$policy list_order=$order coalesce=$coalesce"
		continue
	fi
	ok "insmod policy=$policy list_order=$order coalesce=$coalesce"
	t "sysfs shows list_order=$order" param_is list_order "$order"
	t "GET_INFO reports $want" sh -c \
		'myheap_ioctl_test -t get_info_knobs_as_loaded >/tmp/reload-knobs.log 2>&1 ||
		 { cat /tmp/reload-knobs.log; false; }' 
	t "device works ($policy $order coalesce=$coalesce)" sanity
done

# --- nonsense parameters --------------------------------------------------
unload
for bad in region_size=bogus region_size=1G region_size=257M region_size=12345 \
	region_size=0 region_size=2048 region_size=4KB region_size=-4K \
	region_size= policy=bogus policy= policy=First mmap=bogus mmap=2 \
	list_order=bogus list_order= list_order=SIZESORT+ coalesce=maybe \
	"policy=segregated list_order=sizesort+" "policy=buddy coalesce=0" \
	coalesce=0; do
	# shellcheck disable=SC2086 # some are two parameters
	if insmod "$ko" $bad 2>/dev/null; then
		not_ok "insmod $bad refused"
		rmmod myheap
	else
		t "insmod $bad refused, module not loaded" sh -c '! [ -d /sys/module/myheap ]'
	fi
done
t "a clear message for a bad size" sh -c \
	'dmesg | grep -q "myheap: region_size=bogus: want a multiple of"'
t "a clear message for a bad policy" sh -c \
	'dmesg | grep -q "myheap: policy=bogus: want first, next, best, worst, segregated, buddy or pools"'
t "a clear message for a bad list order" sh -c \
	'dmesg | grep -q "myheap: list_order=bogus: want one of addrsort, sizesort+, sizesort-, insert-front, insert-back"'
t "a clear message for knobs on a policy without them" sh -c \
	'dmesg | grep -q "myheap: list_order=sizesort+ coalesce=1: only policies first, next, best and worst take them, not segregated"'

# --- a process killed while holding blocks --------------------------------
insmod "$ko"
t "a user killed while holding blocks" sh -c \
	'myheap_mmap_test -t cleanup_on_kill >/tmp/reload-kill.log 2>&1 || { cat /tmp/reload-kill.log; false; }'
t "rmmod after a killed user" rmmod myheap
t "insmod with defaults again" insmod "$ko"
t "defaults: 4M, segregated, addrsort, coalescing, no poison, mappable" sh -c \
	"[ \"\$(cat $params/region_size)\" = 4194304 ] &&
	 [ \"\$(cat $params/policy)\" = segregated ] &&
	 [ \"\$(cat $params/list_order)\" = addrsort ] &&
	 [ \"\$(cat $params/coalesce)\" = Y ] &&
	 [ \"\$(cat $params/poison)\" = N ] &&
	 [ \"\$(cat $params/mmap)\" = Y ]"
t "device works after all that" sanity

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
