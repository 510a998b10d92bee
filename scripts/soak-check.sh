#!/usr/bin/env bash
# make soak-check: check that 'make soak' turns a stall into a failure
# with the report it promises, on the ARCH guest (default x86_64):
#  1. the guest's watchdog: perf-soak -X stops one worker on purpose
#     (blocked in a pipe read); 'make soak' must fail, naming the stuck
#     worker, with its kernel stack and every task's (sysrq t);
#  2. the host's: a guest that goes silent on purpose (SOAK_CHECK=silent:
#     no workload, console level 1) must fail 'make soak' once
#     SOAK_SILENCE=15 s pass, with every vCPU's position from QEMU's
#     monitor.
. "$(dirname "$0")/lib.sh"
arch=${ARCH:-x86_64}
console=$LOGS/soak-patched-$arch.console
stage=soak-check-$arch
reset_results "$stage"
status=0

echo "soak-check 1/2: a worker that stops must fail make soak with its stack"
rm -f "$console"
if SOAK_CHECK=1 SOAK_STALL=20 SOAK_DURATION=120 SOAK_SEED=1 "$TOP/scripts/soak.sh" >"$LOGS/soak-check-1.log" 2>&1; then
	record "$stage" FAIL "guest watchdog" "make soak passed with a stopped worker: $(rel "$LOGS/soak-check-1.log")"
	status=1
elif grep -aq '^soak: STALL' "$console" && grep -aq '^soak: worker 0 (pid [0-9]*) stuck' "$console" &&
	grep -aq '^soak: kernel stack of' "$console" && grep -aq '^soak: task ' "$console" &&
	grep -aq 'pipe_read' "$console" && grep -q '^make soak: FAIL (.*seed 1)' "$LOGS/soak-check-1.log"; then
	record "$stage" PASS "guest watchdog: stopped worker reported with its stack"
else
	record "$stage" FAIL "guest watchdog" "no STALL report naming worker 0 with pipe_read: $(rel "$console")"
	status=1
fi

echo "soak-check 2/2: a silent guest must fail make soak with each vCPU's position"
rm -f "$console"
if SOAK_CHECK=silent SOAK_SILENCE=15 SOAK_DURATION=120 SOAK_SEED=1 "$TOP/scripts/soak.sh" >"$LOGS/soak-check-2.log" 2>&1; then
	record "$stage" FAIL "host watchdog" "make soak passed a guest silent for 15 s: $(rel "$LOGS/soak-check-2.log")"
	status=1
elif grep -aq '^soak: silent on purpose' "$console" &&
	[ "$(sed -n '/^soak: silent on purpose/,$p' "$console" | grep -ac '^=== HOST: sample [0-9]: vCPU [01]: pc [A-Za-z_]')" -ge 10 ] &&
	grep -q '^make soak: FAIL (.*seed 1)' "$LOGS/soak-check-2.log"; then
	record "$stage" PASS "host watchdog: both vCPUs located five times"
else
	record "$stage" FAIL "host watchdog" "no vCPU report: $(rel "$console")"
	status=1
fi
[ $status -eq 0 ] && echo "soak-check: PASS ($arch)" || echo "soak-check: FAIL ($arch)"
exit $status
