#!/usr/bin/env bash
# Boot a target's kernel in QEMU (TCG, 2 vCPUs) with an initramfs and run
# one guest job (guest/jobs/JOB); the console goes to stdout.
#
#   qemu-boot.sh [-i] [-a] [-t SECONDS] [-k KERNEL] [-m MIB] [-c CPUS] [-q QEMU-ARG]... TARGET INITRD JOB [KERNEL-ARG...]
#
# -i: interactive (console on this terminal, no time limit).
# -a: ACPI (below).
# -k: kernel image (default: the target's build in build/kernel/TARGET).
# -m: guest memory in MiB (default 1024).
# -c: vCPUs (default 2).
# A target with FAKE_CSPMU=1 gets fake CoreSight PMU register banks
# (scripts/cspmu-fake-bank.sh). -a boots such an arm64 guest
# through UEFI with ACPI instead, the banks described by an APMT
# (scripts/cspmu-fake-apmt.sh).
# Exit status: QEMU's, or 124 when the time limit (default 600 s) ran out.
. "$(dirname "$0")/lib.sh"

interactive=0 acpi=0 limit=600 kernel= mem=1024 cpus=2 qargs=()
while getopts iat:k:m:c:q: o; do
	case $o in
	i) interactive=1 ;;
	a) acpi=1 ;;
	t) limit=$OPTARG ;;
	k) kernel=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	q) qargs+=("$OPTARG") ;;
	*) die "usage: qemu-boot.sh [-i] [-a] [-t SECONDS] [-k KERNEL] [-m MIB] [-c CPUS] [-q ARG]... TARGET INITRD JOB [KERNEL-ARG...]" ;;
	esac
done
shift $((OPTIND - 1))
target=${1:?TARGET missing} initrd=${2:?INITRD missing} job=${3:?JOB missing}
shift 3
load_target "$target"
kernel=${kernel:-$BUILD/kernel/$target/$IMAGE}
[ -f "$kernel" ] || die "no kernel image at $(rel "$kernel"): build it first"

case $QEMU_ARCH in
x86_64) machine=(-machine q35 -cpu max -bios qboot.rom) console=ttyS0 ;;
aarch64) machine=(-machine virt -cpu cortex-a57) console=ttyAMA0 ;;
*) die "no QEMU guest for $QEMU_ARCH" ;;
esac
need "qemu-system-$QEMU_ARCH"

cmd=(qemu-system-"$QEMU_ARCH" "${machine[@]}" -accel tcg -smp "$cpus" -m "$mem" -nodefaults -no-reboot
	-kernel "$kernel" -initrd "$initrd")
kargs=()
if [ "${FAKE_CSPMU:-0}" = 1 ] && [ $acpi = 1 ]; then
	# The same, described by ACPI: UEFI (Debian's qemu-efi-aarch64) and an APMT.
	efi=/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
	[ -f "$efi" ] || die "no UEFI firmware at $efi: run 'make deps'"
	cmd+=(-bios "$efi")
	fake=$BUILD/guest/$target/cspmu-acpi
	"$TOP/scripts/cspmu-fake-apmt.sh" "$fake" "${cmd[@]}"
	mapfile -t fargs <"$fake/qemu-args"
	cmd+=("${fargs[@]}")
	read -ra kargs <"$fake/kernel-args"
elif [ "${FAKE_CSPMU:-0}" = 1 ]; then
	# Fake CoreSight PMU register banks for the real arm_cspmu driver.
	fake=$BUILD/guest/$target/cspmu
	"$TOP/scripts/cspmu-fake-bank.sh" "$fake" "$mem" "${cmd[@]}" -display none
	mapfile -t fargs <"$fake/qemu-args"
	cmd+=("${fargs[@]}")
	read -ra kargs <"$fake/kernel-args"
fi
# loglevel=7: every message but KERN_DEBUG reaches the console (WARNING
# and lockdep reports are KERN_WARNING); a job that asks for 'quiet' lowers
# it. log_buf_len keeps the whole log for the dump /init prints at the end.
cmd+=(-append "console=$console panic=-1 oops=panic loglevel=7 log_buf_len=8M perfjob=$job ${kargs[*]} $*"
	"${qargs[@]}")
if [ $interactive -eq 1 ]; then
	exec "${cmd[@]}" -nographic -serial mon:stdio
fi
rc=0
timeout --foreground -k 10 "$limit" "${cmd[@]}" -display none -serial stdio </dev/null || rc=$?
exit $rc
