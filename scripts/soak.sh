#!/usr/bin/env bash
# make soak: the random perf workload (guest/soak/perf-soak.c) on a debug
# guest, for a set time, from a seed that repeats it. Not part of 'make
# test'. Variables (make soak ARCH=arm64 SOAK_DURATION=1800 ...):
#
#   ARCH           x86_64 (the x86_64-debug-ksft kernel, the test PMU) or
#                  arm64 (arm64-ksft: the fake CoreSight PMU banks, the
#                  arm_cspmu backends and the test PMU as modules)
#   SOAK_DURATION  seconds of workload (default 1800)
#   SOAK_SEED      the seed (default: a random one, printed)
#   SOAK_WORKERS   worker processes (default 4: half root, half uid 65534)
#   SOAK_KERNEL    patched (default) or base: the base kernel built with the
#                  same configuration, as the control
#   SOAK_PMUS      only these PMUs (comma-separated names)
#   SOAK_MODULES   the modules to load and reload (comma-separated; none:
#                  no module; default: the test PMU, and on arm64 the
#                  Ampere and NVIDIA arm_cspmu backends)
#   SOAK_UNPRIVILEGED  1: every worker runs as uid 65534 (default: half)
#   SOAK_PARANOID  perf_event_paranoid in the guest (default -1)
#   SOAK_STALL     seconds a worker may go without progress before the
#                  guest calls it a stall (default 120)
#   SOAK_CHECK     1: one worker stops on purpose (perf-soak -X); silent:
#                  the guest goes quiet instead of running the workload
#                  ('make soak-check' checks that both fail)
#   SOAK_SILENCE   seconds without console output before the host calls it
#                  a stall (default 240; the guest prints a heartbeat
#                  every 30 s)
#
# A stall fails: the guest's own watchdog (a worker without progress for
# SOAK_STALL s, also at the end: the kernel stack of every task, from
# /proc/PID/stack; sysrq 'l' where the kernel has it), the kernel's
# (softlockup, hung task and RCU stall panics; arm64 6.1 cannot print other
# CPUs' backtraces), or the host's (no output for SOAK_SILENCE s: each vCPU's
# program counter from QEMU's monitor). So do splats and kmemleak reports
# (scripts/splat-check.sh). The result line names the seed and the rate,
# the last line the verdict.
. "$(dirname "$0")/lib.sh"
"$TOP/scripts/deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/tree.sh"
need python3
arch=${ARCH:-x86_64}
case $arch in
x86_64) target=x86_64-debug-ksft modules=perf_test_pmu cc=gcc ;;
arm64) target=arm64-ksft modules=perf_test_pmu,ampere_cspmu,nvidia_cspmu cc=aarch64-linux-gnu-gcc ;;
*) die "make soak: ARCH is x86_64 or arm64, not '$arch'" ;;
esac
side=${SOAK_KERNEL:-patched}
duration=${SOAK_DURATION:-1800}
seed=${SOAK_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
silence=${SOAK_SILENCE:-240}
for v in "$duration" "$seed" "$silence" "${SOAK_STALL:-120}" "${SOAK_WORKERS:-4}"; do
	[[ $v =~ ^[0-9]+$ ]] || die "make soak: SOAK_DURATION, SOAK_SEED, SOAK_SILENCE, SOAK_STALL and SOAK_WORKERS are whole numbers, not '$v'"
done
case ${SOAK_CHECK:-}:${SOAK_UNPRIVILEGED:-} in
:|1:|silent:|:1|1:1|silent:1) ;;
*) die "make soak: SOAK_CHECK is 1 or silent, SOAK_UNPRIVILEGED is 1" ;;
esac
need "$cc"
load_target "$target"
soak=$BUILD/soak/$side-$target
mkdir -p "$soak" "$LOGS"
stage=soak-$side-$arch
reset_results "$stage"

echo "make soak: $side $target kernel, ${duration} s, seed $seed"
case $side in
patched)
	out=$BUILD/kernel/$target
	step "build $target kernel" "$LOGS/build-$target.log" \
		"$TOP/scripts/build-kernel.sh" "$target" || exit 1
	;;
base)
	# The base tree lacks the options the series adds (the test PMU,
	# arm_cspmu): the same configuration without them.
	"$TOP/scripts/base-tree.sh"
	out=$BUILD/kernel/base-$target
	step "build base $target kernel" "$LOGS/build-base-$target.log" \
		env VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$BUILD/src-base" "$out" || exit 1
	;;
*) die "SOAK_KERNEL is patched or base, not '$side'" ;;
esac
src=$LINUX
[ "$side" = base ] && src=$BUILD/src-base
rm -rf "$soak/modules" "$soak/root"
mkdir -p "$soak/modules" "$soak/root/soak"
step "install $target modules" "$LOGS/soak-modules-$side-$target.log" \
	kmake "$src" "$out" INSTALL_MOD_PATH="$soak/modules" INSTALL_MOD_STRIP=1 modules_install || exit 1
# Only the modules this kernel has.
have=
[ "${SOAK_MODULES-}" = none ] && modules=
[ -n "${SOAK_MODULES-}" ] && [ "$SOAK_MODULES" != none ] && modules=$SOAK_MODULES
for m in ${modules//,/ }; do
	find "$soak/modules" -name "$m.ko*" | grep -q . && have=${have:+$have,}$m
done
step "build perf-soak" "$LOGS/soak-build.log" \
	"$cc" -O2 -Wall -Wextra -static -o "$soak/root/soak/perf-soak" "$TOP/guest/soak/perf-soak.c" || exit 1
step "initramfs" "$LOGS/soak-initramfs-$side-$target.log" \
	"$TOP/scripts/initramfs.sh" "$target" "$soak/soak.cpio.gz" "$soak/modules" "$soak/root" || exit 1

console=$LOGS/soak-$side-$arch.console
sock=$soak/monitor.sock
rm -f "$sock"
# Stalls end the guest with a report: softlockup, hung task and RCU stall
# panics with every CPU's backtrace; nokaslr so that the host can name the
# functions the vCPUs were in.
kargs=(soak_seed="$seed" soak_duration="$duration" soak_workers="${SOAK_WORKERS:-4}"
	soak_paranoid="${SOAK_PARANOID:--1}" soak_stall="${SOAK_STALL:-120}" ${SOAK_CHECK:+soak_check="$SOAK_CHECK"}
	${SOAK_UNPRIVILEGED:+soak_unprivileged="$SOAK_UNPRIVILEGED"} ${have:+soak_modules="$have"} ${SOAK_PMUS:+soak_pmus="$SOAK_PMUS"}
	nokaslr softlockup_panic=1 softlockup_all_cpu_backtrace=1 hung_task_panic=1
	sysctl.kernel.hung_task_all_cpu_backtrace=1 sysctl.kernel.panic_on_rcu_stall=1)
echo "  boot $side $target guest, soak (TCG; console: $(rel "$console"))"
t0=$SECONDS
rc=0
python3 "$TOP/scripts/soak-watch.py" "$console" "$silence" "$sock" "$out/System.map" -- \
	"$TOP/scripts/qemu-boot.sh" -t $((duration + 1200)) -k "$out/$IMAGE" -q -monitor -q "unix:$sock,server=on,wait=off" \
	"$target" "$soak/soak.cpio.gz" soak "${kargs[@]}" || rc=$?
echo "  guest ended after $((SECONDS - t0)) s (status $rc)"

status=1
result=$({ grep -a '^soak: RESULT' "$console" || true; } | tail -n 1 | tr -d '\r')
if grep -aq '^soak: STALL' "$console"; then
	record "$stage" FAIL "no stall" "$(grep -a '^soak: STALL' "$console" | head -n 1 | tr -d '\r')"
elif [ $rc -eq 3 ]; then
	record "$stage" FAIL "no stall" "no console output for $silence s (seed $seed): see the vCPU report in $(rel "$console")"
elif [ $rc -eq 124 ]; then
	record "$stage" FAIL "guest finished" "QEMU's time limit ran out (seed $seed): see $(rel "$console")"
elif ! grep -aq '^=== SOAK END rc=0' "$console" || [ $rc -ne 0 ]; then
	record "$stage" FAIL "workload finished" "no '=== SOAK END rc=0' or QEMU status $rc (seed $seed): see $(rel "$console")"
elif ! grep -aq '^=== KMEMLEAK scan done' "$console"; then
	record "$stage" FAIL "kmemleak scan" "no '=== KMEMLEAK scan done' (seed $seed): see $(rel "$console")"
else
	record "$stage" PASS "workload ran ${duration} s, every worker making progress to the end"
	status=0
fi
"$TOP/scripts/splat-check.sh" -d "$console" "$stage" || status=1
echo "  ${result:-soak: no result line} (console: $(rel "$console"))"
if [ $status -eq 0 ]; then
	echo "make soak: PASS ($side $arch, seed $seed)"
else
	echo "make soak: FAIL ($side $arch, seed $seed): repeat with SOAK_SEED=$seed"
fi
exit $status
