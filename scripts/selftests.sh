#!/usr/bin/env bash
# make selftests: build the perf_events kselftests for the patched kernel,
# boot it in QEMU with them (and its modules) in the initramfs, and compare
# the TAP results with selftests/expected-failures/TARGET.txt. A new failure
# fails; an expected failure that passes is reported.
#
# A target may name another kernel to boot, SELFTEST_KERNEL (x86_64 boots
# x86_64-ksft, which has the test PMU as a module). NO_BUILD=1 skips the
# (incremental) kernel build when the target boots its own kernel, as
# 'make test' does after building it once.
. "$(dirname "$0")/lib.sh"
need_tree

status=0
for target in ${SELFTEST_TARGETS:-x86_64}; do
	load_target "$target"
	kernel=${SELFTEST_KERNEL:-$target}
	load_target "$kernel"
	out=$BUILD/kernel/$kernel
	stage=selftests-$target
	reset_results "$stage"
	echo "selftests on $target (kernel: $kernel):"
	if [ "${NO_BUILD:-0}" != 1 ] || [ "$kernel" != "$target" ]; then
		step "build $kernel kernel" "$LOGS/build-$kernel.log" \
			"$TOP/scripts/build-kernel.sh" "$kernel" || { record "$stage" FAIL "kernel build"; status=1; continue; }
	fi
	step "build perf_events kselftests" "$LOGS/kselftest-build-$kernel.log" \
		kmake "$LINUX" "$out" TARGETS="${KSFT_TARGETS:-perf_events}" kselftest-install ||
		{ record "$stage" FAIL "kselftest build"; status=1; continue; }
	# The kernel's modules, with modules.dep, so that tests can modprobe.
	mods=$BUILD/guest/$kernel/modules
	rm -rf "$mods"
	mkdir -p "$mods"
	if grep -q '^CONFIG_MODULES=y' "$out/.config"; then
		step "install $kernel modules" "$LOGS/modules-install-$kernel.log" \
			kmake "$LINUX" "$out" INSTALL_MOD_PATH="$mods" INSTALL_MOD_STRIP=1 modules_install ||
			{ record "$stage" FAIL "modules install"; status=1; continue; }
	fi
	initrd=$BUILD/guest/$kernel/selftests.cpio.gz
	step "initramfs with kselftests, modules and perf" "$LOGS/initramfs-$kernel.log" \
		"$TOP/scripts/initramfs.sh" "$kernel" "$initrd" "$mods" ||
		{ record "$stage" FAIL "initramfs"; status=1; continue; }
	console=$LOGS/selftests-$target.console
	step "boot $kernel guest, run kselftests (TCG)" "$console" \
		"$TOP/scripts/qemu-boot.sh" -t "${SELFTEST_TIMEOUT:-900}" "$kernel" "$initrd" selftests || true
	expected=$TOP/selftests/expected-failures/$target.txt
	[ -f "$expected" ] || die "missing $(rel "$expected")"
	"$TOP/scripts/tap-results.py" "$console" "$expected" "$RESULTS/$stage.tsv" || {
		status=1
		echo "    console log: $(rel "$console")"
	}
	"$TOP/scripts/splat-check.sh" "$console" "$stage" || status=1
done
exit $status
