#!/usr/bin/env bash
# Give an arm64 QEMU 'virt' guest a fake Arm CoreSight PMU: a register
# bank in guest RAM that the kernel does not use, described by an
# "arm,coresight-pmu" devicetree node, so that the real arm_cspmu driver
# probes it and user space can play its hardware through /dev/mem.
#
#   cspmu-fake-bank.sh OUT-DIR MEM-MIB QEMU-COMMAND...
#
# QEMU-COMMAND is the guest's QEMU command line without -dtb: it runs once
# with -machine dumpdtb= to get the machine's own devicetree. Writes into
# OUT-DIR: guest.dtb (that devicetree plus the PMU node), bank.bin (the
# bank's initial contents), qemu-args (one argument a line: -dtb, and a
# loader device that puts bank.bin at the bank's address) and kernel-args
# (mem= below the bank, and CSPMU_FAKE_BANK=ADDRESS, which the kernel
# passes to /init's environment: the arm_cspmu kselftest writes counter
# values only into a bank named there).
#
# The bank is the top 16 MiB of RAM (virt's RAM starts at 0x40000000),
# dual-page: page 0 at the start, page 1 64 KiB above. Its ID and
# configuration registers: PMCFGR = 0x5f07 (8 counters, 32 bits wide,
# cycle counter), PMIIDR = 0x5a12343b (product 0x5a1, variant 2, revision
# 3, JEP106 implementer 0x43b, which no vendor backend claims). No
# interrupt: the driver counts without an overflow interrupt.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: cspmu-fake-bank.sh OUT-DIR MEM-MIB QEMU-COMMAND...}
mem=${2:?MEM-MIB missing}
shift 2
need dtc python3
[ "$mem" -gt 64 ] || die "guest memory ${mem} MiB is too small"
ram_base=$((0x40000000))
hide=16
bank=$((ram_base + (mem - hide) * 1024 * 1024))
page1=$((bank + 0x10000))
mkdir -p "$out"

"$@" -machine dumpdtb="$out/virt.dtb" >"$out/dumpdtb.log" 2>&1 ||
	die "QEMU could not dump its devicetree: $(rel "$out/dumpdtb.log")"
dtc -q -I dtb -O dts -o "$out/virt.dts" "$out/virt.dtb"
grep -q '#address-cells = <0x02>' "$out/virt.dts" || die "virt devicetree without 2 address cells"
cp "$out/virt.dts" "$out/guest.dts"
printf '\n/ {\n\tpmu@%x {\n\t\tcompatible = "arm,coresight-pmu";\n\t\treg = <0x0 0x%x 0x0 0x1000>, <0x0 0x%x 0x0 0x1000>;\n\t};\n};\n' \
	"$bank" "$bank" "$page1" >>"$out/guest.dts"
dtc -q -I dts -O dtb -o "$out/guest.dtb" "$out/guest.dts"

python3 - "$out/bank.bin" <<'PY'
import struct
import sys
bank = bytearray(0x11000)          # page 0, then page 1 at 0x10000
struct.pack_into('<I', bank, 0xe00, 0x5f07)      # PMCFGR
struct.pack_into('<I', bank, 0xe08, 0x5a12343b)  # PMIIDR
with open(sys.argv[1], 'wb') as f:
    f.write(bank)
PY

printf '%s\n' -dtb "$out/guest.dtb" -device "loader,file=$out/bank.bin,addr=$(printf '0x%x' "$bank"),force-raw=on" \
	>"$out/qemu-args"
printf 'mem=%dM CSPMU_FAKE_BANK=0x%x\n' $((mem - hide)) "$bank" >"$out/kernel-args"
