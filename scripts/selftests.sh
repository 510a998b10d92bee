#!/usr/bin/env bash
# make selftests: build the perf_events kselftests for the patched kernel,
# boot it in QEMU with them (and its modules) in the initramfs, and compare
# the TAP results with selftests/expected-failures/TARGET.txt. A new failure
# fails; an expected failure that passes is reported.
#
#   selftests.sh [--prepare | --run] [--acpi] [--only "COLLECTION:TEST ..."] [TARGET...]
#
# TARGET: x86_64 and arm64 by default. A target names the kernel it boots,
# SELFTEST_KERNEL (x86_64 boots x86_64-ksft, arm64 boots arm64-ksft: the
# test PMU as a module).
#
# --prepare builds the kernel, the kselftests and the initramfs only; --run
# boots what a prepare left (and fails if it failed): 'make test' prepares
# while other guests run (scripts/gate.mk). Without either, both.
#
# --only "COLLECTION:TEST ..." (e.g. perf_events:task_data; default: the
# variable SELFTEST_ONLY) runs only those tests in the guest, for a quick
# look at one of them; the gate runs them all.
#
# --acpi boots the arm64 guest through UEFI with ACPI, its fake CoreSight
# PMUs described by an APMT ('make selftests-acpi'; results and console
# log as selftests-arm64-acpi).
. "$(dirname "$0")/lib.sh"
need_tree
phase=all acpi='' only=${SELFTEST_ONLY:-}
while [ $# -gt 0 ]; do
	case $1 in
	--prepare) phase=prepare ;;
	--run) phase=run ;;
	--acpi) acpi=1 ;;
	--only) only=${2:?--only needs a list of tests}; shift ;;
	-*) die "usage: selftests.sh [--prepare | --run] [--acpi] [--only \"COLLECTION:TEST ...\"] [TARGET...]" ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- x86_64 arm64

# prepare_key: what a prepare's kernel image and initramfs depend on: the
# kernel's build key, the kselftests asked for, this script, the
# initramfs script and the guest's files, and the installed packages
# (busybox, perf and the libraries it brings). Nothing when linux/ has
# uncommitted changes, and nothing for a KCSAN kernel: its reports are
# sorted by the objects of its build (splat-check.sh -k), which a cached
# image does not bring.
prepare_key() {
	local k f
	for f in $FRAGMENTS ${EXTRA_FRAGMENTS:-}; do
		case $f in /*) ;; *) f=$TOP/configs/$f.config ;; esac
		! grep -qx 'CONFIG_KCSAN=y' "$f" || return 0
	done
	k=$(build_key "$kernel")
	[ -n "$k" ] || return 0
	{
		echo "prepare 1 $k ${KSFT_TARGETS:-perf_events} demo ${SELFTEST_DEMO:-}"
		cat "$TOP/scripts/selftests.sh" "$TOP/scripts/initramfs.sh" "$TOP/guest/init" "$TOP"/guest/jobs/*
		cat /var/lib/dpkg/status
		sha256sum "$FOREIGN/arm64/bin/busybox" "$FOREIGN/arm64/usr/bin/perf" 2>/dev/null || true
		cat "$FOREIGN"/arm64/.unpacked-* 2>/dev/null || true
	} | sha256sum | cut -d' ' -f1
}

# The cache entry of KEY for this kernel: a folder written whole under
# another name and renamed into place, so that a reader never sees half of
# one; each kernel keeps its newest entry only.
prepared_entry() { echo "$RESULT_CACHE/prepared/$kernel-$1"; }

# restore_prepared KEY: take the kernel image, .config and initramfs of an
# earlier prepare with the same key. Fails if any of it cannot be copied
# (another clone may be replacing the entry): the prepare then builds.
restore_prepared() {
	local c
	c=$(prepared_entry "$1")
	[ -f "$c/done" ] || return 1
	mkdir -p "$out/$(dirname "$IMAGE")" || return 1
	# Without vmlinux, a later build in this folder links anew instead of
	# taking the restored image for its own; the image is removed first
	# so that a failed copy cannot leave another tree's image to boot.
	rm -f "$out/vmlinux" "$out/$IMAGE" "$initrd"
	cp "$c/image" "$out/$IMAGE" && cp "$c/config" "$out/.config" &&
		cp "$c/initrd" "$initrd" || {
		rm -f "$out/$IMAGE" "$initrd"
		return 1
	}
	touch "$BUILD/guest/$kernel/kernel.cached"
	echo "  $kernel: kernel, kselftests and initramfs of this tree prepared before (cached)"
}

# save_prepared KEY: keep this prepare's files for restore_prepared.
save_prepared() {
	local c tmp old
	c=$(prepared_entry "$1")
	tmp=$c.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp" && cp "$out/$IMAGE" "$tmp/image" && cp "$out/.config" "$tmp/config" &&
		cp "$initrd" "$tmp/initrd" && touch "$tmp/done" && mv -T "$tmp" "$c" 2>/dev/null || {
		rm -rf "$tmp"
		return 0
	}
	for old in "$RESULT_CACHE/prepared/$kernel"-*; do
		[ "$old" = "$c" ] || case $old in *.tmp.*) ;; *) rm -rf "$old" ;; esac
	done
}

prepare() {
	local key=
	# kernel.built: this prepare built the kernel (KUnit may boot it even
	# if a later step fails); kernel.cached: it restored it instead.
	mkdir -p "$BUILD/guest/$kernel"
	rm -f "$BUILD/guest/$kernel/kernel.built" "$BUILD/guest/$kernel/kernel.cached"
	key=$(prepare_key)
	if [ -n "$key" ] && restore_prepared "$key"; then
		touch "$BUILD/guest/$kernel/kernel.built"
		return 0
	fi
	step "build $kernel kernel" "$LOGS/build-$kernel.log" \
		"$TOP/scripts/build-kernel.sh" "$kernel" || { record "$stage" FAIL "kernel build"; return 1; }
	touch "$BUILD/guest/$kernel/kernel.built"
	step "build perf_events kselftests" "$LOGS/kselftest-build-$kernel.log" \
		kmake "$LINUX" "$out" TARGETS="${KSFT_TARGETS:-perf_events}" kselftest-install ||
		{ record "$stage" FAIL "kselftest build"; return 1; }
	# The kernel's modules, with modules.dep, so that tests can modprobe.
	mods=$BUILD/guest/$kernel/modules
	rm -rf "$mods"
	mkdir -p "$mods"
	if grep -q '^CONFIG_MODULES=y' "$out/.config"; then
		step "install $kernel modules" "$LOGS/modules-install-$kernel.log" \
			kmake "$LINUX" "$out" INSTALL_MOD_PATH="$mods" INSTALL_MOD_STRIP=1 modules_install ||
			{ record "$stage" FAIL "modules install"; return 1; }
	fi
	step "initramfs with kselftests, modules (and perf)" "$LOGS/initramfs-$kernel.log" \
		env INITRAMFS_PERF="${SELFTEST_DEMO:-0}" "$TOP/scripts/initramfs.sh" "$kernel" "$initrd" "$mods" ||
		{ record "$stage" FAIL "initramfs"; return 1; }
	# linux/ may have changed while this ran: keep only what the key says.
	[ -z "$key" ] || [ "$(prepare_key)" != "$key" ] || save_prepared "$key"
}

run() {
	local console=$LOGS/$stage.console expected=$TOP/selftests/expected-failures/$target.txt rc=0 demo=
	# The x86_64 guest runs 'make run''s demo (guest/jobs/demo) first, one
	# more result, demo:x86_64 (8 s); SELFTEST_DEMO=0 leaves it out. The
	# arm64 demo takes about 110 s (most of it Debian's perf starting
	# under TCG, three times), which the gate's budget has no room for:
	# SELFTEST_DEMO=1 runs it in selftests-arm64 too ('make run ARCH=arm64'
	# runs it on its own). Not on the debug x86_64 kernel (the same demo
	# on another configuration), nor in the ACPI guest.
	case $stage in
	selftests-x86_64) [ "${SELFTEST_DEMO:-}" = 0 ] || demo=perfdemo=1 ;;
	selftests-arm64) [ "${SELFTEST_DEMO:-}" != 1 ] || demo=perfdemo=1 ;;
	esac
	# 1500 s: the arm64 debug guest took about 300 s for the kselftests
	# before task_data_faults, whose whole sweeps add about 700 s there
	# (x86_64 debug: about 300 s), on a busy 2-core host. The gate fails
	# the first 16 allocations of each sweep and then every 8th only
	# (SELFTEST_FAULTS_STRIDE=1: all of them).
	step "boot $kernel guest, run kselftests (TCG)" "$console" \
		"$TOP/scripts/qemu-boot.sh" ${acpi:+-a} -t "${SELFTEST_TIMEOUT:-1500}" "$kernel" "$initrd" selftests \
		"faults_stride=${SELFTEST_FAULTS_STRIDE:-8}" $demo \
		${only:+"ksft=$(echo $only | tr ' ' ',')"} || true
	[ -f "$expected" ] || die "missing $(rel "$expected")"
	"$TOP/scripts/tap-results.py" ${only:+--only "$only"} "$console" "$expected" "$RESULTS/$stage.tsv" || {
		rc=1
		echo "    console log: $(rel "$console")"
	}
	# A KCSAN kernel's reports are sorted by where they are (splat-check.sh -k).
	local kcsan=()
	! grep -qx 'CONFIG_KCSAN=y' "$out/.config" 2>/dev/null || kcsan=(-k "$out")
	"$TOP/scripts/splat-check.sh" -d "${kcsan[@]}" "$console" "$stage" || rc=1
	return $rc
}

status=0
for target in "$@"; do
	load_target "$target"
	kernel=${SELFTEST_KERNEL:-$target}
	load_target "$kernel"
	out=$BUILD/kernel/$kernel
	stage=selftests-$target${acpi:+-acpi}
	initrd=$BUILD/guest/$kernel/selftests.cpio.gz
	ready=$BUILD/guest/$kernel/selftests.prepared
	if [ "$phase" != run ]; then
		reset_results "$stage"
		rm -f "$ready"
		echo "selftests on $target (kernel: $kernel)$([ "$phase" = all ] || echo ", $phase"):"
		prepare || { status=1; continue; }
		touch "$ready"
	fi
	if [ "$phase" != prepare ]; then
		[ "$phase" = all ] || echo "selftests on $target (kernel: $kernel)${acpi:+, ACPI}, run:"
		# A run of the ACPI guest shares the prepare of the arm64 one,
		# which resets only the results of selftests-arm64.
		[ "$phase" != run ] || [ -z "$acpi" ] || reset_results "$stage"
		if [ ! -f "$ready" ]; then
			echo "    not prepared: see the prepare step's failure above"
			status=1
			continue
		fi
		run || status=1
	fi
done
exit $status
