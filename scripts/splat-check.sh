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
# -k OBJDIR: the guest ran a KCSAN kernel whose objects are in OBJDIR.
# Its KCSAN reports are sorted by scripts/kcsan-reports.py: a report with
# a frame in a file the series changes fails; the others are races in 6.1
# code the series does not change (scheduler, mm, printk...), which are
# listed, with that reason, on the output and in
# build/logs/kcsan-STAGE.txt (every report, whole, with its verdict), and
# do not fail. Every other splat stays fatal on KCSAN kernels too.
#
# Every distinct splat line is named (up to 8), not only the first.
. "$(dirname "$0")/lib.sh"
usage='usage: splat-check.sh [-d] [-k OBJDIR] LOG STAGE'
dump=0 kcsan=
while [ $# -gt 0 ]; do
	case $1 in
	-d) dump=1 ;;
	-k) kcsan=${2:?$usage} && shift ;;
	*) break ;;
	esac
	shift
done
log=${1:?$usage} stage=${2:?$usage}
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
# KCSAN reports, sorted by where they are (see -k above).
kcsan_header='BUG: KCSAN: '
if [ -n "$kcsan" ]; then
	# A KCSAN that never switched on reports nothing (configs/kcsan.config).
	if grep -aq 'kcsan: enabled early' "$log"; then
		record "$stage" PASS "KCSAN on from boot"
	else
		record "$stage" FAIL "KCSAN on from boot" "no 'kcsan: enabled early' in $(rel "$log")"
		rc=1
	fi
	touched=$(mktemp)
	"$TOP/scripts/touched.sh" all >"$touched"
	report=$LOGS/kcsan-$stage.txt
	krc=0
	verdicts=$("$TOP/scripts/kcsan-reports.py" "$log" "$kcsan" "$touched" "$report") || krc=$?
	rm -f "$touched"
	series=$(echo "$verdicts" | sed -n 's/^series //p')
	other=$(echo "$verdicts" | sed -n 's/^other //p')
	if [ $krc -gt 1 ] || [ -z "$series" ]; then
		record "$stage" FAIL "KCSAN reports sorted" "scripts/kcsan-reports.py failed (exit $krc)"
		rc=1
	else
		# The others are listed, not dropped.
		echo "$verdicts" | awk -F'\t' '$1 == "OTHER" { printf "    KCSAN (not failed): %s: %s\n", $2, $3 }'
		if [ "$series" -gt 0 ]; then
			detail=$(echo "$verdicts" | awk -F'\t' '$1 == "SERIES" { printf "%s: %s | ", $2, $3 }' | cut -c1-600)
			record "$stage" FAIL "no KCSAN report in series code" "$series: ${detail% | }; see $(rel "$report")"
			rc=1
		else
			record "$stage" PASS "no KCSAN report in series code" \
				"$other in 6.1 code the series does not change, listed in $(rel "$report")"
		fi
	fi
	# A report the parser missed would pass unseen.
	if grep -aq "$kcsan_header" "$log" && [ "${series:-0}${other:-0}" = 00 ]; then
		record "$stage" FAIL "KCSAN reports sorted" "grep finds '$kcsan_header' lines that kcsan-reports.py reads no report in"
		rc=1
	fi
else
	# Not a KCSAN kernel: the header is a splat like any other.
	kcsan_header='^$'
fi
# Allocation failures that a kselftest injects on purpose (fault injection,
# between the marks task_data_faults writes to the kernel log) are reported
# by some allocators (vmalloc, percpu) with a stack trace: such a report's
# "Call Trace:" is no splat. Anything else in the window still is, and so
# is a report outside it.
expected_alloc_failures() {
	awk '
	/task_data_faults: failing allocations on purpose/ { window = 1 }
	/task_data_faults: no more failing allocations/ { window = 0; report = 0 }
	window && /(vmalloc error: |page allocation failure: |percpu: allocation failed)/ { report = 1; next }
	window && report && /(Call Trace:|Call trace:)/ { next }
	/(WARNING: |BUG: |Oops|KASAN: |UBSAN: |KCSAN: |unreferenced object|possible |inconsistent lock|suspicious RCU|stall|blocked for more than|Internal error: |Unable to handle|refcount_t: |corruption|ODEBUG: )/ { report = 0 }
	{ print }' "$1"
}
# Distinct splat lines, without timestamps, in the order they came.
mapfile -t found < <(expected_alloc_failures "$log" | grep -aE "$pattern" | grep -av "$kcsan_header" |
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' | awk '!seen[$0]++' | head -n 8)
if [ ${#found[@]} -gt 0 ]; then
	detail=$(printf '%s | ' "${found[@]}" | cut -c1-600)
	record "$stage" FAIL "kernel log free of splats" "${detail% | }; see $(rel "$log")"
	exit 1
fi
record "$stage" PASS "kernel log free of splats"
exit $rc
