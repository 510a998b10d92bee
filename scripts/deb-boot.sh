#!/usr/bin/env bash
# make deb-boot: boot the kernel of the packages 'make deb' built, as a
# Debian 12 machine would get it from them, and run the x86_64 demo on it
# (guest/jobs/demo: the test PMU's per-task data, with Debian's perf).
#
# The kernel image and the modules the demo loads are unpacked from
# build/deb/linux-image-*.deb with dpkg-deb (the package is not
# installed on this machine); the guest is the QEMU x86_64 guest of
# 'make run' with the demo initramfs, booted with the packaged bzImage.
# Like 'make run', it fails unless the demo passes and the kernel log is
# free of splats. Not part of 'make test': 'make deb' takes hours.
. "$(dirname "$0")/lib.sh"
# modinfo is in /sbin, outside a user's PATH on Debian.
PATH=$PATH:/sbin:/usr/sbin
need dpkg-deb modinfo
mapfile -t debs < <(ls -t "$BUILD"/deb/linux-image-*.deb 2>/dev/null | grep -v -- '-dbg_' || true)
[ ${#debs[@]} -gt 0 ] || die "no linux-image package in $(rel "$BUILD/deb"): run 'make deb' first"
deb=${debs[0]}
echo "make deb-boot: $(basename "$deb")"
work=$BUILD/deb/boot
rm -rf "$work"
mkdir -p "$work/pkg" "$work/initramfs"
dpkg-deb -x "$deb" "$work/pkg"
kernel=$(ls "$work"/pkg/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$kernel" ] || die "$(basename "$deb") has no /boot/vmlinuz-*"
ver=${kernel##*/vmlinuz-}
# The modules the demo loads, with their dependencies (modinfo), as the
# package has them; the guest's /init runs depmod.
mods=$work/pkg/lib/modules/$ver
[ -d "$mods" ] || die "$(basename "$deb") has no /lib/modules/$ver"
want=(perf_test_pmu)
have=()
while [ ${#want[@]} -gt 0 ]; do
	m=${want[0]}
	want=("${want[@]:1}")
	case " ${have[*]} " in *" $m "*) continue ;; esac
	# modinfo names dependencies with '_', files may have '-'.
	f=$(find "$mods/kernel" \( -name "$m.ko*" -o -name "${m//_/-}.ko*" \) | head -n 1)
	[ -n "$f" ] || die "the package has no module $m (is CONFIG_PERF_TEST_PMU=m in its config?)"
	have+=("$m")
	dest=$work/initramfs/lib/modules/$ver/${f#"$mods"/}
	mkdir -p "$(dirname "$dest")"
	cp "$f" "$dest"
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do want+=("$d"); done
done
cp "$mods"/modules.order "$mods"/modules.builtin* "$work/initramfs/lib/modules/$ver/" 2>/dev/null || true
echo "  kernel $ver; modules for the demo: ${have[*]}"
initrd=$work/demo.cpio.gz
step "initramfs with busybox, perf and the packaged modules" "$LOGS/initramfs-deb-boot.log" \
	env INITRAMFS_PERF=1 "$TOP/scripts/initramfs.sh" x86_64-deb "$initrd" "$work/initramfs"
console=$LOGS/deb-boot.console
echo "booting the packaged kernel (TCG, 2 vCPUs); console in $(rel "$console")"
rc=0
"$TOP/scripts/qemu-boot.sh" -t 600 -k "$kernel" x86_64-deb "$initrd" demo quiet | tee "$console" |
	sed -u '/^=== DMESG BEGIN/,/^=== DMESG END/d' || rc=$?
grep -q "^guest: kernel $ver," "$console" ||
	die "the guest did not run the packaged kernel $ver (exit $rc): see $(rel "$console")"
grep -q '^demo passed' "$console" ||
	die "the demo did not pass on the packaged kernel (exit $rc): see $(rel "$console")"
reset_results deb-boot
"$TOP/scripts/splat-check.sh" -d "$console" deb-boot ||
	die "the guest's kernel log has splats: see $(rel "$console")"
echo "make deb-boot: demo passed on the packaged kernel $ver, kernel log free of splats"
