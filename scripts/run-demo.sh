#!/usr/bin/env bash
# make run: build the patched x86_64 kernel, boot it in QEMU and run a short
# perf demonstration inside (guest/jobs/demo); the guest powers off itself.
# make shell (--shell): the same guest with an interactive shell.
. "$(dirname "$0")/lib.sh"
# What a fresh Debian 12 machine lacks (a second when nothing does).
"$TOP/scripts/deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/tree.sh"
target=x86_64
echo "make run: patched kernel in a QEMU $target guest"
step "build $target kernel (incremental)" "$LOGS/build-$target.log" \
	"$TOP/scripts/build-kernel.sh" "$target"
initrd=$BUILD/guest/$target/demo.cpio.gz
step "initramfs with busybox and perf" "$LOGS/initramfs-demo.log" \
	"$TOP/scripts/initramfs.sh" "$target" "$initrd"
if [ "${1:-}" = --shell ]; then
	echo "booting; the console is this terminal ('exit' powers off, Ctrl-a x quits QEMU)"
	exec "$TOP/scripts/qemu-boot.sh" -i "$target" "$initrd" shell
fi
echo "booting (TCG, 2 vCPUs); console also in $(rel "$LOGS/run.console")"
rc=0
# The terminal shows the demo; the kernel log dumped at its end goes to
# the log file only, where scripts/splat-check.sh reads it.
"$TOP/scripts/qemu-boot.sh" -t 600 "$target" "$initrd" demo quiet | tee "$LOGS/run.console" |
	sed -u '/^=== DMESG BEGIN/,/^=== DMESG END/d' || rc=$?
grep -q '^demo done' "$LOGS/run.console" || die "the demo did not finish (exit $rc): see $(rel "$LOGS/run.console")"
reset_results demo
"$TOP/scripts/splat-check.sh" -d "$LOGS/run.console" demo ||
	die "the guest's kernel log has splats: see $(rel "$LOGS/run.console")"
echo "demo passed: kernel log free of splats"
