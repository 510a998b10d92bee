#!/usr/bin/env bash
# touched.sh [KIND]: files the series changes (base..HEAD in linux/), one a
# line. KIND: all (default), c (C sources that still exist), dirs
# (directories of those C sources), targets ("TARGET FILE.c" lines: the
# build targets whose architecture compiles each C source; arch/x86 files
# are checked 64-bit and 32-bit; x86_64-ksft is the x86_64 configuration
# with the KUnit suites).
. "$(dirname "$0")/lib.sh"
need_tree
kind=${1:-all}
files=$(git -C "$LINUX" diff --name-only --diff-filter=d base..HEAD)
csrc=$(echo "$files" | grep -E '\.c$' | grep -vE '^(tools|scripts|samples|Documentation)/' || true)
target_of() {
	case $1 in
	arch/x86/*) echo x86_64-ksft i386 ;;
	arch/arm64/* | drivers/perf/arm* | drivers/acpi/arm64/*) echo arm64 ;;
	arch/powerpc/*) echo powerpc64 ;;
	arch/s390/*) echo s390 ;;
	arch/*) echo unsupported ;;
	*) echo x86_64-ksft ;;
	esac
}
case $kind in
all) echo "$files" | sed '/^$/d' ;;
c) echo "$csrc" | sed '/^$/d' ;;
dirs) echo "$csrc" | sed '/^$/d' | xargs -r -n1 dirname | sort -u ;;
targets) for f in $csrc; do for t in $(target_of "$f"); do echo "$t $f"; done; done ;;
*) die "touched.sh: unknown kind '$kind'" ;;
esac
