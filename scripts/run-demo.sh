#!/usr/bin/env bash
# make run [ARCH=x86_64|arm64]: build the patched kernel, boot it in QEMU
# and show, with Debian's perf, what the series adds (guest/jobs/demo: the
# test PMU's per-task data on x86_64, the fake CoreSight PMU banks and
# their vendor backends on arm64); the guest powers off itself. The demo
# checks its own numbers and ends with "demo passed".
# make shell (--shell): the same guest with an interactive shell.
#
# The kernels are the kselftest ones (x86_64-ksft, arm64-ksft), which
# have the test PMU and the arm_cspmu backends as modules, and on arm64
# the fake banks; 'make test' boots them too, and runs the same demo
# first in their kselftest guests (scripts/selftests.sh).
. "$(dirname "$0")/lib.sh"
# What a fresh Debian 12 machine lacks (a second when nothing does).
"$TOP/scripts/deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/tree.sh"
case ${ARCH:-x86_64} in
x86_64 | arm64) target=${ARCH:-x86_64}-ksft ;;
*) die "make run: ARCH=x86_64 or ARCH=arm64, not '$ARCH'" ;;
esac
load_target "$target"
out=$BUILD/kernel/$target
echo "make run: patched kernel in a QEMU $ARCH guest ($target)"
step "build $target kernel (incremental)" "$LOGS/build-$target.log" \
	"$TOP/scripts/build-kernel.sh" "$target"
mods=$BUILD/guest/$target/demo-modules
rm -rf "$mods"
step "install $target modules" "$LOGS/modules-install-demo-$target.log" \
	kmake "$LINUX" "$out" INSTALL_MOD_PATH="$mods" INSTALL_MOD_STRIP=1 modules_install
initrd=$BUILD/guest/$target/demo.cpio.gz
step "initramfs with busybox, perf and the modules" "$LOGS/initramfs-demo-$target.log" \
	env INITRAMFS_PERF=1 "$TOP/scripts/initramfs.sh" "$target" "$initrd" "$mods"
if [ "${1:-}" = --shell ]; then
	echo "booting; the console is this terminal ('exit' powers off, Ctrl-a x quits QEMU)"
	exec "$TOP/scripts/qemu-boot.sh" -i "$target" "$initrd" shell
fi
console=$LOGS/run-$ARCH.console
echo "booting (TCG, 2 vCPUs); console also in $(rel "$console")"
rc=0
# The terminal shows the demo; the kernel log dumped at its end goes to
# the log file only, where scripts/splat-check.sh reads it.
"$TOP/scripts/qemu-boot.sh" -t 600 "$target" "$initrd" demo quiet | tee "$console" |
	sed -u '/^=== DMESG BEGIN/,/^=== DMESG END/d' || rc=$?
grep -q '^demo passed' "$console" ||
	die "the demo did not pass (exit $rc): see $(rel "$console")"
reset_results "demo-$ARCH"
"$TOP/scripts/splat-check.sh" -d "$console" "demo-$ARCH" ||
	die "the guest's kernel log has splats: see $(rel "$console")"
echo "make run: demo passed, kernel log free of splats"
