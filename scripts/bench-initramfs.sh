#!/usr/bin/env bash
# Build the guest benchmarks (guest/bench/perf-bench.c, static) and an
# initramfs with them for 'make bench' and 'make bench-profile'.
#
#   bench-initramfs.sh TARGET INITRD
. "$(dirname "$0")/lib.sh"
target=${1:?TARGET missing} initrd=${2:?INITRD missing}
need gcc
extra=$(dirname "$initrd")/root
rm -rf "$extra"
mkdir -p "$extra/usr/bin"
step "build guest benchmarks (static)" "$LOGS/bench-build.log" \
	gcc -O2 -Wall -static -o "$extra/usr/bin/perf-bench" "$TOP/guest/bench/perf-bench.c"
step "initramfs with the benchmarks" "$LOGS/initramfs-bench.log" \
	"$TOP/scripts/initramfs.sh" "$target" "$initrd" "$extra"
