#!/usr/bin/env bash
# make build: build every kernel target at HEAD (x86_64 and arm64 guests,
# powerpc64 pseries with the Cell platform and spufs, Cell with spufs as
# a module, i386), each in build/kernel/TARGET.
. "$(dirname "$0")/lib.sh"
need_tree
status=0
for t in ${BUILD_TARGETS:-x86_64 arm64 powerpc64 powerpc64-spufs-m i386}; do
	step "build $t kernel" "$LOGS/build-$t.log" "$TOP/scripts/build-kernel.sh" "$t" || status=1
done
exit $status
