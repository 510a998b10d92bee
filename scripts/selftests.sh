#!/usr/bin/env bash
# make selftests: build the perf_events kselftests for the patched x86_64
# kernel, boot it in QEMU with them in the initramfs, and compare the TAP
# results with selftests/expected-failures/TARGET.txt. A new failure fails;
# an expected failure that passes is reported.
#
# NO_BUILD=1 skips the (incremental) kernel build, as 'make test' does
# after building it once.
. "$(dirname "$0")/lib.sh"
need_tree

status=0
for target in ${SELFTEST_TARGETS:-x86_64}; do
	load_target "$target"
	out=$BUILD/kernel/$target
	stage=selftests-$target
	reset_results "$stage"
	echo "selftests on $target:"
	if [ "${NO_BUILD:-0}" != 1 ]; then
		step "build $target kernel" "$LOGS/build-$target.log" \
			"$TOP/scripts/build-kernel.sh" "$target" || { record "$stage" FAIL "kernel build"; status=1; continue; }
	fi
	step "build perf_events kselftests" "$LOGS/kselftest-build-$target.log" \
		kmake "$LINUX" "$out" TARGETS="${KSFT_TARGETS:-perf_events}" kselftest-install ||
		{ record "$stage" FAIL "kselftest build"; status=1; continue; }
	initrd=$BUILD/guest/$target/selftests.cpio.gz
	step "initramfs with kselftests and perf" "$LOGS/initramfs-$target.log" \
		"$TOP/scripts/initramfs.sh" "$target" "$initrd" ||
		{ record "$stage" FAIL "initramfs"; status=1; continue; }
	console=$LOGS/selftests-$target.console
	step "boot $target guest, run kselftests (TCG)" "$console" \
		"$TOP/scripts/qemu-boot.sh" -t "${SELFTEST_TIMEOUT:-900}" "$target" "$initrd" selftests || true
	expected=$TOP/selftests/expected-failures/$target.txt
	[ -f "$expected" ] || die "missing $(rel "$expected")"
	"$TOP/scripts/tap-results.py" "$console" "$expected" "$RESULTS/$stage.tsv" || {
		status=1
		echo "    console log: $(rel "$console")"
	}
	"$TOP/scripts/splat-check.sh" "$console" "$stage" || status=1
done
exit $status
