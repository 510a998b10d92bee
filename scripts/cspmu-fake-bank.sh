#!/usr/bin/env bash
# Give an arm64 QEMU 'virt' guest fake Arm CoreSight PMUs: register banks
# in guest RAM that the kernel does not use, each described by an
# "arm,coresight-pmu" devicetree node, so that the real arm_cspmu driver
# probes them and user space can play their hardware through /dev/mem.
#
#   cspmu-fake-bank.sh OUT-DIR MEM-MIB QEMU-COMMAND...
#
# QEMU-COMMAND is the guest's QEMU command line without -dtb: it runs once
# with -machine dumpdtb= to get the machine's own devicetree. Writes into
# OUT-DIR: guest.dtb (that devicetree plus the PMU nodes), bank-N.bin (each
# bank's initial contents), qemu-args (one argument a line: -dtb, and a
# loader device per bank that puts bank-N.bin at its address) and
# kernel-args (mem= below the banks, and CSPMU_FAKE_BANK=ADDRESS,...,
# which the kernel passes to /init's environment: the arm_cspmu
# kselftests write registers only in banks named there).
#
# The banks live in the top 16 MiB of RAM (virt's RAM starts at
# 0x40000000), 128 KiB apart, each dual-page: page 0 at its start, page 1
# 64 KiB above. All have PMCFGR = 0x5f07 (8 counters, 32 bits wide, cycle
# counter) and no interrupt: the driver counts without an overflow
# interrupt. Their PMIIDR, in CSPMU_FAKE_BANK's order:
#   0x5a12343b  product 0x5a1, variant 2, revision 3 of JEP106 implementer
#               0x43b, which no vendor backend claims (generic driver)
#   0x00100a16  Ampere (0xa16), product 0: the ampere_cspmu backend
#   0x1030036b  NVIDIA (0x36b), product 0x103: nvidia_cspmu, PCIe PMU
#   0x2cf0036b  NVIDIA, product 0x2cf: nvidia_cspmu, SCF PMU
#   0x7a10036b  NVIDIA, product 0x7a1: nvidia_cspmu's fallback
. "$(dirname "$0")/lib.sh"

out=${1:?usage: cspmu-fake-bank.sh OUT-DIR MEM-MIB QEMU-COMMAND...}
mem=${2:?MEM-MIB missing}
shift 2
need dtc python3
[ "$mem" -gt 64 ] || die "guest memory ${mem} MiB is too small"
ram_base=$((0x40000000))
hide=16
pmiidrs=(0x5a12343b 0x00100a16 0x1030036b 0x2cf0036b 0x7a10036b)
first=$((ram_base + (mem - hide) * 1024 * 1024))
mkdir -p "$out"

"$@" -machine dumpdtb="$out/virt.dtb" >"$out/dumpdtb.log" 2>&1 ||
	die "QEMU could not dump its devicetree: $(rel "$out/dumpdtb.log")"
dtc -q -I dtb -O dts -o "$out/virt.dts" "$out/virt.dtb"
grep -q '#address-cells = <0x02>' "$out/virt.dts" || die "virt devicetree without 2 address cells"
cp "$out/virt.dts" "$out/guest.dts"
printf -- '-dtb\n%s\n' "$out/guest.dtb" >"$out/qemu-args"
banks=
for i in "${!pmiidrs[@]}"; do
	bank=$((first + i * 0x20000))
	page1=$((bank + 0x10000))
	printf '\n/ {\n\tpmu@%x {\n\t\tcompatible = "arm,coresight-pmu";\n\t\treg = <0x0 0x%x 0x0 0x1000>, <0x0 0x%x 0x0 0x1000>;\n\t};\n};\n' \
		"$bank" "$bank" "$page1" >>"$out/guest.dts"
	python3 - "$out/bank-$i.bin" "${pmiidrs[$i]}" <<'PY'
import struct
import sys
bank = bytearray(0x11000)          # page 0, then page 1 at 0x10000
struct.pack_into('<I', bank, 0xe00, 0x5f07)                # PMCFGR
struct.pack_into('<I', bank, 0xe08, int(sys.argv[2], 0))   # PMIIDR
with open(sys.argv[1], 'wb') as f:
    f.write(bank)
PY
	printf -- '-device\nloader,file=%s,addr=0x%x,force-raw=on\n' "$out/bank-$i.bin" "$bank" \
		>>"$out/qemu-args"
	banks=$banks${banks:+,}$(printf '0x%x' "$bank")
done
dtc -q -I dts -O dtb -o "$out/guest.dtb" "$out/guest.dts"
printf 'mem=%dM CSPMU_FAKE_BANK=%s\n' $((mem - hide)) "$banks" >"$out/kernel-args"
