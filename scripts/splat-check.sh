#!/usr/bin/env bash
# splat-check.sh [-d] LOG STAGE: record whether a guest's kernel log is
# free of splats (WARNING, BUG, oops, lockdep, KASAN, UBSAN, KCSAN,
# kmemleak, RCU stalls, hung tasks, refcount and debug-object errors) and
# complete (no "printk messages dropped"). Debug builds must stay silent.
#
# -d: LOG is the console of a guest whose /init dumps the kernel's log
# buffer at the end (guest/init: "=== DMESG BEGIN" ... "=== DMESG END"):
# the dump must be there, so that what the console missed is read too.
# KUnit guests have no /init: their console is the whole log.
#
# Every distinct splat line is named (up to 8), not only the first.
. "$(dirname "$0")/lib.sh"
dump=0
if [ "${1:-}" = -d ]; then
	dump=1
	shift
fi
log=${1:?usage: splat-check.sh [-d] LOG STAGE} stage=${2:?usage: splat-check.sh [-d] LOG STAGE}
pattern='(WARNING: |BUG: |BUG kmalloc|kernel BUG at|Oops|Kernel panic|general protection fault|KASAN: |UBSAN: |KCSAN: |kmemleak: .*new suspected|unreferenced object|KMEMLEAK SCAN FAILED|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|self-detected stall|detected stalls on CPUs|blocked for more than|Call Trace:|Call trace:|Internal error: |Unable to handle kernel |refcount_t: |list_add corruption|list_del corruption|ODEBUG: |printk messages dropped)'
if [ ! -s "$log" ]; then
	record "$stage" FAIL "kernel log free of splats" "no log at $(rel "$log")"
	exit 1
fi
rc=0
if [ $dump = 1 ]; then
	if grep -aq '^=== DMESG END' "$log"; then
		record "$stage" PASS "whole kernel log dumped"
	else
		record "$stage" FAIL "whole kernel log dumped" "no '=== DMESG END' in $(rel "$log"): the guest did not finish its job"
		rc=1
	fi
fi
# Distinct splat lines, without timestamps, in the order they came.
mapfile -t found < <(grep -aE "$pattern" "$log" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' |
	awk '!seen[$0]++' | head -n 8)
if [ ${#found[@]} -gt 0 ]; then
	detail=$(printf '%s | ' "${found[@]}" | cut -c1-600)
	record "$stage" FAIL "kernel log free of splats" "${detail% | }; see $(rel "$log")"
	exit 1
fi
record "$stage" PASS "kernel log free of splats"
exit $rc
