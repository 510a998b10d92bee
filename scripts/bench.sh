#!/usr/bin/env bash
# make bench: boot the base kernel and the patched kernel, same config and
# same guest workload, under QEMU -icount (guest time follows instruction
# counts, so it repeats), and write build/bench/results.json and
# build/bench/results.md with patched/base ratios and the goals of
# scripts/bench-report.py (exit status 1 when one is not met). A third
# kernel, the series without its ring-buffer fast path
# (scripts/bench-fixes-tree.sh), shows what the other changes cost on the
# sample path.
. "$(dirname "$0")/lib.sh"
need_tree
need gcc python3
target=x86_64
bench=$BUILD/bench
mkdir -p "$bench" "$LOGS"
"$TOP/scripts/base-tree.sh"

echo "make bench: base vs patched $target kernel (and the series without its fast path) under QEMU -icount"
step "build patched $target kernel" "$LOGS/build-$target.log" \
	"$TOP/scripts/build-kernel.sh" "$target"
# The base tree lacks options that the series adds: build without them.
step "build base $target kernel" "$LOGS/build-base-$target.log" \
	env VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$BUILD/src-base" "$BUILD/kernel/base-$target"

"$TOP/scripts/bench-fixes-tree.sh"
step "build the series without its fast path" "$LOGS/build-fixes-$target.log" \
	"$TOP/scripts/build-kernel.sh" "$target" "$BUILD/src-fixes" "$BUILD/kernel/fixes-$target"

initrd=$bench/bench.cpio.gz
"$TOP/scripts/bench-initramfs.sh" "$target" "$initrd"

load_target "$target"
# One vCPU: with -icount, QEMU 7.2 (Debian 12) hangs bringing up a second
# one ("Booting SMP configuration"), and one also keeps the runs repeatable.
for side in base patched fixes; do
	case $side in
	base) k=$BUILD/kernel/base-$target/$IMAGE ;;
	patched) k=$BUILD/kernel/$target/$IMAGE ;;
	fixes) k=$BUILD/kernel/fixes-$target/$IMAGE ;;
	esac
	step "boot $side kernel, run benchmarks (-icount)" "$LOGS/bench-$side.console" \
		"$TOP/scripts/qemu-boot.sh" -t 1200 -k "$k" -m 2048 -c 1 -q "-icount" -q "shift=3,align=off,sleep=off" \
		"$target" "$initrd" bench quiet
	grep -q '^=== BENCH END rc=0' "$LOGS/bench-$side.console" ||
		die "benchmarks did not finish on the $side kernel: $(rel "$LOGS/bench-$side.console")"
	reset_results "bench-$side"
	"$TOP/scripts/splat-check.sh" -d "$LOGS/bench-$side.console" "bench-$side" ||
		die "the $side kernel's log has splats: $(rel "$LOGS/bench-$side.console")"
done
rc=0
python3 "$TOP/scripts/bench-report.py" "$LOGS/bench-base.console" "$LOGS/bench-patched.console" \
	"$bench/results.json" "$bench/results.md" "$LOGS/bench-fixes.console" || rc=$?
cat "$bench/results.md"
echo "results: $(rel "$bench/results.json"), $(rel "$bench/results.md")"
exit $rc
