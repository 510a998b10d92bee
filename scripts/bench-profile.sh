#!/usr/bin/env bash
# make bench-profile: where the context-switch cost of a system-wide
# test-PMU event goes, per kernel function. Boots the patched x86_64
# kernel twice under make bench's QEMU -icount setup with the instruction
# counting plugin (scripts/qemu-insn-plugin.c), running the ping-pong
# benchmark alone, without and with the event, and writes the difference
# per switch to build/bench/profile.md. Then the same for one tracepoint
# record (make bench's tp_* benchmark): getppid() calls without
# recording, recorded by perf and recorded by ftrace, the differences
# per record in build/bench/profile-tp-perf.md and profile-tp-ftrace.md.
# Last, make bench's page-fault sample (bench_sample()) on the base
# kernel, the series without its fast path and the patched kernel, side
# by side per function in build/bench/profile-fault.md.
# A tool for reading, not a test.
. "$(dirname "$0")/lib.sh"
need_tree
need gcc python3 nm
target=x86_64
iters=${PROFILE_ITERS:-20000}
bench=$BUILD/bench
prof=$bench/profile
mkdir -p "$prof" "$LOGS"

echo "make bench-profile: $target kernel, $iters ping-pong round trips without and with the event, $iters tracepoint hits, page-fault samples on three kernels"
step "build patched $target kernel" "$LOGS/build-$target.log" \
	"$TOP/scripts/build-kernel.sh" "$target"
step "build the QEMU instruction-count plugin" "$LOGS/profile-plugin.log" \
	gcc -O2 -Wall -shared -fPIC -o "$prof/insn-plugin.so" "$TOP/scripts/qemu-insn-plugin.c"
"$TOP/scripts/base-tree.sh"
step "build base $target kernel" "$LOGS/build-base-$target.log" \
	env VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$BUILD/src-base" "$BUILD/kernel/base-$target"
"$TOP/scripts/bench-fixes-tree.sh"
step "build the series without its fast path" "$LOGS/build-fixes-$target.log" \
	"$TOP/scripts/build-kernel.sh" "$target" "$BUILD/src-fixes" "$BUILD/kernel/fixes-$target"
initrd=$prof/profile.cpio.gz
"$TOP/scripts/bench-initramfs.sh" "$target" "$initrd"

load_target "$target"
kernel=$BUILD/kernel/$target
for run in without with tp-none tp-perf tp-ftrace; do
	case $run in
	without) arg='' what="ping-pong without the event" ;;
	with) arg=profile=event what="ping-pong with the event" ;;
	tp-none) arg=profile=$run what="getppid(), tracepoint not recorded" ;;
	tp-*) arg=profile=$run what="getppid(), tracepoint recorded by ${run#tp-}" ;;
	esac
	rm -f "$prof/$run.txt"
	step "boot, $what (-icount, counting)" "$LOGS/profile-$run.console" \
		"$TOP/scripts/qemu-boot.sh" -t 1200 -k "$kernel/$IMAGE" -m 1024 -c 1 \
		-q -icount -q "shift=3,align=off,sleep=off" \
		-q -plugin -q "$prof/insn-plugin.so,out=$prof/$run.txt" \
		"$target" "$initrd" profile quiet "profile_iters=$iters" $arg
	grep -q '^=== PROFILE END rc=0' "$LOGS/profile-$run.console" ||
		die "the guest did not finish ($what): $(rel "$LOGS/profile-$run.console")"
	[ -s "$prof/$run.txt" ] || die "the plugin wrote no counts: $(rel "$LOGS/profile-$run.console")"
	reset_results "profile-$run"
	"$TOP/scripts/splat-check.sh" -d "$LOGS/profile-$run.console" "profile-$run" ||
		die "the kernel log has splats: $(rel "$LOGS/profile-$run.console")"
done
# The page-fault sample: perf-bench runs whole rounds of 2000 faults.
fiters=$(((iters + 1999) / 2000 * 2000))
compare=()
for side in base fixes patched; do
	case $side in
	base) k=$BUILD/kernel/base-$target ;;
	fixes) k=$BUILD/kernel/fixes-$target ;;
	patched) k=$kernel ;;
	esac
	for run in fault-none fault-perf; do
		out=$prof/$side-$run.txt
		rm -f "$out"
		step "boot $side kernel, $fiters page faults, ${run#fault-} sampling (-icount, counting)" \
			"$LOGS/profile-$side-$run.console" \
			"$TOP/scripts/qemu-boot.sh" -t 1200 -k "$k/$IMAGE" -m 1024 -c 1 \
			-q -icount -q "shift=3,align=off,sleep=off" \
			-q -plugin -q "$prof/insn-plugin.so,out=$out" \
			"$target" "$initrd" profile quiet "profile_iters=$fiters" "profile=$run"
		grep -q '^=== PROFILE END rc=0' "$LOGS/profile-$side-$run.console" ||
			die "the guest did not finish ($side, $run): $(rel "$LOGS/profile-$side-$run.console")"
		[ -s "$out" ] || die "the plugin wrote no counts: $(rel "$LOGS/profile-$side-$run.console")"
		reset_results "profile-$side-$run"
		"$TOP/scripts/splat-check.sh" -d "$LOGS/profile-$side-$run.console" "profile-$side-$run" ||
			die "the kernel log has splats: $(rel "$LOGS/profile-$side-$run.console")"
	done
	nm "$k/vmlinux" >"$prof/$side-vmlinux.nm"
	compare+=("$side" "$prof/$side-vmlinux.nm" "$prof/$side-fault-none.txt" "$prof/$side-fault-perf.txt")
done
nm "$kernel/vmlinux" >"$prof/vmlinux.nm"
# Each round trip is two switches.
python3 "$TOP/scripts/bench-profile.py" "$prof/vmlinux.nm" "$prof/without.txt" "$prof/with.txt" \
	$((2 * iters)) "$bench/profile.md"
for rec in perf ftrace; do
	python3 "$TOP/scripts/bench-profile.py" "$prof/vmlinux.nm" "$prof/tp-none.txt" "$prof/tp-$rec.txt" \
		"$iters" "$bench/profile-tp-$rec.md" "$rec record"
done
python3 "$TOP/scripts/bench-profile.py" --compare "$fiters" "$bench/profile-fault.md" "page-fault sample" \
	"${compare[@]}"
echo "results: $(rel "$bench/profile.md"), $(rel "$bench/profile-tp-perf.md"), $(rel "$bench/profile-tp-ftrace.md"), $(rel "$bench/profile-fault.md")"
