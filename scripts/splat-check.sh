#!/usr/bin/env bash
# splat-check.sh LOG STAGE: record whether a guest's kernel log is free of
# splats (WARNING, BUG, oops, lockdep, KASAN, UBSAN, kmemleak, RCU stalls,
# hung tasks, refcount errors). Debug builds must stay silent.
. "$(dirname "$0")/lib.sh"
log=${1:?usage: splat-check.sh LOG STAGE} stage=${2:?usage: splat-check.sh LOG STAGE}
pattern='(WARNING: |BUG: |BUG kmalloc|Oops|Kernel panic|general protection fault|KASAN: |UBSAN: |kmemleak: .*new suspected|unreferenced object|KMEMLEAK SCAN FAILED|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|self-detected stall|blocked for more than|Call Trace:|Call trace:|Internal error: |Unable to handle kernel |refcount_t: |list_add corruption|list_del corruption)'
if [ ! -s "$log" ]; then
	record "$stage" FAIL "kernel log free of splats" "no log at $(rel "$log")"
	exit 1
fi
first=$(grep -aE -m1 "$pattern" "$log" || true)
if [ -n "$first" ]; then
	record "$stage" FAIL "kernel log free of splats" "$(echo "$first" | cut -c1-160); see $(rel "$log")"
	exit 1
fi
record "$stage" PASS "kernel log free of splats"
