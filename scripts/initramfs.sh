#!/usr/bin/env bash
# Build the guest initramfs for a target:
#
#   initramfs.sh TARGET OUT.cpio.gz [DIR...]
#
# busybox-static, guest/init and guest/jobs/, Debian's perf with the shared
# libraries it needs, the kselftest install of the target's kernel build
# (at /kselftest) when there is one, and each extra DIR copied to / .
. "$(dirname "$0")/lib.sh"

target=${1:?usage: initramfs.sh TARGET OUT.cpio.gz [DIR...]}
out=${2:?usage: initramfs.sh TARGET OUT.cpio.gz [DIR...]}
shift 2
load_target "$target"
[ "$ARCH" = x86_64 ] || die "initramfs for $ARCH guests is not supported yet"
need cpio gzip ldd
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' ||
	die "/bin/busybox is not busybox-static: run 'make deps'"
[ -x /usr/bin/perf ] || die "Debian's perf is missing (package linux-perf): run 'make deps'"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,dev,proc,sys,tmp,root,etc,jobs}
cp /bin/busybox "$root/bin/busybox"
cp "$TOP/guest/init" "$root/init"
cp "$TOP"/guest/jobs/* "$root/jobs/"
cp /usr/bin/perf "$root/usr/bin/perf"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

ksft=$BUILD/kernel/$target/kselftest/kselftest_install
[ -d "$ksft" ] && cp -a "$ksft" "$root/kselftest"
for d in "$@"; do
	cp -a "$d"/. "$root"/
done

# Shared libraries of every dynamic ELF file, at their host paths.
find "$root" -type f -perm -u+x | while read -r f; do
	file -L "$f" | grep -q 'dynamically linked' || continue
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	[ -e "$root$lib" ] && continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out"
echo "initramfs: $(rel "$out"), $(du -h "$out" | cut -f1)"
