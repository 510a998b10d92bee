#!/usr/bin/env bash
# Build the guest initramfs for a target:
#
#   initramfs.sh TARGET OUT.cpio.gz [DIR...]
#
# busybox-static, guest/init and guest/jobs/, Debian's perf with the shared
# libraries it needs, the kselftest install of the target's kernel build
# (at /kselftest) when there is one, and each extra DIR copied to / . An
# x86_64 guest gets the host's perf. An arm64 guest gets busybox-static:arm64
# and linux-perf:arm64 as 'make deps' unpacked them, and the shared
# libraries of its programs from the cross toolchain's sysroot
# (/usr/aarch64-linux-gnu: the C library) or else from the arm64 library
# packages 'make deps' unpacked (configs/foreign-packages).
. "$(dirname "$0")/lib.sh"

target=${1:?usage: initramfs.sh TARGET OUT.cpio.gz [DIR...]}
out=${2:?usage: initramfs.sh TARGET OUT.cpio.gz [DIR...]}
shift 2
load_target "$target"
need cpio gzip ldd
case $ARCH in
x86_64)
	busybox=/bin/busybox sysroot=
	[ -x /usr/bin/perf ] || die "Debian's perf is missing (package linux-perf): run 'make deps'"
	;;
arm64)
	busybox=$FOREIGN/arm64/bin/busybox sysroot=/usr/aarch64-linux-gnu
	# perf (and the libraries it brings, 40 MB) only where it is used:
	# INITRAMFS_PERF=1 ('make run ARCH=arm64', the arm64 demo).
	perf=
	[ "${INITRAMFS_PERF:-0}" = 1 ] && perf=$FOREIGN/arm64/usr/bin/perf
	libdirs="$sysroot/lib $FOREIGN/arm64/usr/lib/aarch64-linux-gnu $FOREIGN/arm64/lib/aarch64-linux-gnu"
	need aarch64-linux-gnu-readelf
	[ -z "$perf" ] || [ -x "$perf" ] || die "no linux-perf:arm64 in $FOREIGN/arm64: run 'make deps'"
	;;
*) die "initramfs for $ARCH guests is not supported yet" ;;
esac
[ -x "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
	die "$busybox is not busybox-static for $ARCH: run 'make deps'"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,dev,proc,sys,tmp,root,etc,jobs}
cp "$busybox" "$root/bin/busybox"
# The kernel runs /sbin/modprobe for module requests, some during boot,
# before /init installs busybox's applet links.
ln -s /bin/busybox "$root/sbin/modprobe"
cp "$TOP/guest/init" "$root/init"
cp "$TOP"/guest/jobs/* "$root/jobs/"
# perf, and its package's version in /etc/perf-version (guest/jobs/demo
# prints it: 'perf version' alone takes seconds in an arm64 guest).
if [ -z "$sysroot" ]; then
	cp /usr/bin/perf "$root/usr/bin/perf"
	dpkg-query -W -f '${Package}:${Architecture} ${Version}\n' linux-perf >"$root/etc/perf-version"
elif [ -n "$perf" ]; then
	cp "$perf" "$root/usr/bin/perf"
	echo "linux-perf:arm64 $(cat "$FOREIGN/arm64/.unpacked-linux-perf")" >"$root/etc/perf-version"
fi
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

ksft=$BUILD/kernel/$target/kselftest/kselftest_install
[ -d "$ksft" ] && cp -a "$ksft" "$root/kselftest"
for d in "$@"; do
	cp -a "$d"/. "$root"/
done

if [ -z "$sysroot" ]; then
	# Shared libraries of every dynamic ELF file, at their host paths.
	find "$root" -type f -perm -u+x | while read -r f; do
		file -L "$f" | grep -q 'dynamically linked' || continue
		ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
	done | sort -u | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
else
	# Cross-built programs: their program interpreter at its path, and
	# the libraries they need (and those need) from the sysroot in /lib.
	readelf=${CROSS_COMPILE}readelf
	todo=$(find "$root" -type f -perm -u+x -exec file -L {} + | { grep 'dynamically linked' || true; } | cut -d: -f1)
	for f in $todo; do
		interp=$($readelf -l "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
		[ -z "$interp" ] || [ -e "$root$interp" ] || {
			mkdir -p "$root$(dirname "$interp")"
			cp -L "$sysroot/lib/$(basename "$interp")" "$root$interp"
		}
	done
	while [ -n "$todo" ]; do
		next=
		for lib in $($readelf -d $todo | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
			[ -e "$root/lib/$lib" ] && continue
			from=
			for d in $libdirs; do
				[ -e "$d/$lib" ] && from=$d/$lib && break
			done
			[ -n "$from" ] || die "$lib is in none of $libdirs"
			cp -L "$from" "$root/lib/$lib"
			next="$next $root/lib/$lib"
		done
		todo=$next
	done
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out"
echo "initramfs: $(rel "$out"), $(du -h "$out" | cut -f1)"
