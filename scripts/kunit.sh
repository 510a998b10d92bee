#!/usr/bin/env bash
# make kunit: run the KUnit suites of configs/kunit.config on QEMU (TCG,
# 2 vCPUs) through tools/testing/kunit/kunit.py, for each TARGET (default
# x86_64 arm64 powerpc64), and record every case from kunit.py's JSON output.
#
#   kunit.sh [--no-build] [TARGET...]
#
# --no-build: the kernel was built by the step make test runs before
# (scripts/gate.mk: a kselftest prepare step, or build-powerpc64), which
# leaves build/guest/KERNEL/kernel.built when it did; without that file
# there is nothing to boot and the stage fails. A target with KUNIT_KERNEL
# boots that target's kernel instead of one of its own (arm64-debug boots
# the arm64 kselftest kernel, which has its KUnit suites built in).
. "$(dirname "$0")/lib.sh"
need_tree
need python3
build=1
[ "${1:-}" != --no-build ] || { build=0; shift; }
[ $# -gt 0 ] || set -- x86_64 arm64 powerpc64

# A target's KUNIT_QEMU_CONFIG (a kunit.py --qemu_config file, relative to
# the repository) replaces kunit.py's own QEMU configuration of its arch.
run_kunit_py() {
	local qemu=(--arch "$KUNIT_ARCH")
	[ -z "$KUNIT_QEMU_CONFIG" ] || qemu=(--qemu_config "$TOP/$KUNIT_QEMU_CONFIG")
	python3 "$LINUX/tools/testing/kunit/kunit.py" exec "${qemu[@]}" \
		${CROSS_COMPILE:+--cross_compile "$CROSS_COMPILE"} --build_dir "$out" \
		--qemu_args "-smp 2${QEMU_ARGS:+ $QEMU_ARGS}" --timeout "${KUNIT_TIMEOUT:-900}" \
		--kernel_args "panic=-1 ignore_loglevel${KUNIT_KERNEL_ARGS:+ $KUNIT_KERNEL_ARGS}" --json="$json" || true
}

status=0
for target in "$@"; do
	load_target "$target"
	[ -n "$KUNIT_ARCH" ] || die "target $target has no KUnit arch"
	need "qemu-system-$QEMU_ARCH"
	kernel=${KUNIT_KERNEL:-$target}
	out=$BUILD/kernel/$kernel
	stage=kunit-$target
	reset_results "$stage"
	echo "kunit on $target$([ "$kernel" = "$target" ] || echo " (kernel: $kernel)"):"
	if [ $build = 1 ]; then
		step "build $kernel kernel" "$LOGS/build-$kernel.log" \
			"$TOP/scripts/build-kernel.sh" "$kernel" || { record "$stage" FAIL "kernel build"; status=1; continue; }
	elif [ ! -f "$BUILD/guest/$kernel/kernel.built" ]; then
		# The prepare step may fail after its kernel built (kselftests,
		# initramfs): KUnit needs only the kernel.
		record "$stage" FAIL "kernel build" "the step that builds $kernel failed: nothing to boot"
		status=1
		continue
	fi
	json=$RESULTS/kunit-$target.json
	rm -f "$json"
	# kunit.py runs the kernel built above (exec does not rebuild) and
	# passes kunit.enable=1; the config keeps KUnit off by default so
	# that the same kernel also boots the selftests.
	# kunit.py exits non-zero when any case fails; whether that failure
	# was expected is decided from its JSON below.
	step "kunit.py exec on $target (QEMU TCG, 2 vCPUs)" "$LOGS/kunit-$target.log" \
		run_kunit_py || true
	expected=$TOP/kunit/expected-failures/$target.txt
	[ -f "$expected" ] || die "missing $(rel "$expected")"
	"$TOP/scripts/kunit-results.py" "$json" "$expected" "$RESULTS/$stage.tsv" || {
		status=1
		echo "    kunit log: $(rel "$LOGS/kunit-$target.log")"
	}
	# A KCSAN kernel's reports are sorted by where they are (splat-check.sh -k).
	kcsan=()
	! grep -qx 'CONFIG_KCSAN=y' "$out/.config" 2>/dev/null || kcsan=(-k "$out")
	"$TOP/scripts/splat-check.sh" "${kcsan[@]}" "$out/test.log" "$stage" || status=1
done
exit $status
