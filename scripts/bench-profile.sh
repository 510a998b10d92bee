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
# A tool for reading, not a test.
. "$(dirname "$0")/lib.sh"
need_tree
need gcc python3 nm
target=x86_64
iters=${PROFILE_ITERS:-20000}
bench=$BUILD/bench
prof=$bench/profile
mkdir -p "$prof" "$LOGS"

echo "make bench-profile: $target kernel, $iters ping-pong round trips without and with the event, $iters tracepoint hits"
step "build patched $target kernel" "$LOGS/build-$target.log" \
	"$TOP/scripts/build-kernel.sh" "$target"
step "build the QEMU instruction-count plugin" "$LOGS/profile-plugin.log" \
	gcc -O2 -Wall -shared -fPIC -o "$prof/insn-plugin.so" "$TOP/scripts/qemu-insn-plugin.c"
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
nm "$kernel/vmlinux" >"$prof/vmlinux.nm"
# Each round trip is two switches.
python3 "$TOP/scripts/bench-profile.py" "$prof/vmlinux.nm" "$prof/without.txt" "$prof/with.txt" \
	$((2 * iters)) "$bench/profile.md"
for rec in perf ftrace; do
	python3 "$TOP/scripts/bench-profile.py" "$prof/vmlinux.nm" "$prof/tp-none.txt" "$prof/tp-$rec.txt" \
		"$iters" "$bench/profile-tp-$rec.md" "$rec record"
done
echo "results: $(rel "$bench/profile.md"), $(rel "$bench/profile-tp-perf.md"), $(rel "$bench/profile-tp-ftrace.md")"
