#!/usr/bin/env bash
# make kselftest-tarball: build the perf_events kselftests (host, x86_64)
# and pack them as build/kselftest-perf_events.tar.gz, to run on a real
# machine booted into the patched kernel:
#   tar xzf kselftest-perf_events.tar.gz && cd kselftest && ./run_kselftest.sh
. "$(dirname "$0")/lib.sh"
need_tree
load_target x86_64
out=$BUILD/kernel/x86_64
[ -f "$out/.config" ] || step "configure x86_64 target" "$LOGS/build-x86_64.log" \
	"$TOP/scripts/build-kernel.sh" x86_64 -- prepare
step "build perf_events kselftests" "$LOGS/kselftest-build-x86_64.log" \
	kmake "$LINUX" "$out" TARGETS="${KSFT_TARGETS:-perf_events}" kselftest-install
tarball=$BUILD/kselftest-perf_events.tar.gz
tar -C "$out/kselftest" --transform 's,^kselftest_install,kselftest,' -czf "$tarball" kselftest_install
echo "wrote $(rel "$tarball")"
