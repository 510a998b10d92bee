#!/usr/bin/env bash
# Give an arm64 QEMU 'virt' guest that boots through UEFI with ACPI fake
# Arm CoreSight PMUs: register banks described by an APMT (Arm DEN0117),
# from which the kernel's APMT parser creates "arm-cs-arch-pmu" devices
# for the real arm_cspmu driver. The ACPI counterpart of
# cspmu-fake-bank.sh, with the same output files:
#
#   cspmu-fake-apmt.sh OUT-DIR QEMU-COMMAND...
#
# QEMU-COMMAND is the guest's QEMU command line with -bios (the UEFI
# firmware). Writes into OUT-DIR: the fw_cfg files of the guest's ACPI
# tables with the APMT added (scripts/cspmu-fake-apmt.py says how),
# qemu-args (one argument a line: -machine acpi=off, so that QEMU adds
# no tables of its own, and a -fw_cfg per file) and kernel-args
# (acpi=force).
#
# QEMU 7.2 has no -acpitable for arm: the APMT goes through QEMU's ACPI
# linker/loader, whose script the firmware runs. QEMU-COMMAND runs once
# with fwcfg-dump.c as its firmware, which writes the machine's fw_cfg
# files to the serial port (under a second, like -machine dumpdtb).
#
# Where the banks live: the firmware allocates them as ACPI NVS memory
# and patches their addresses into the APMT. Neither the firmware (its
# own allocation) nor Linux (NVS is reserved, outside the linear map)
# puts anything else there: no mem= needed. RAM hidden with mem= would
# not do under UEFI, which allocates from the top of RAM for itself.
# The addresses are only known in the guest (the APMT's nodes, in
# /sys/firmware/acpi/tables/APMT): CSPMU_FAKE_BANK=apmt tells the guest's
# selftests job to list them from the devices the APMT created.
#
# Same banks as cspmu-fake-bank.sh: PMCFGR = 0x5f07, no interrupt, dual
# page (page 1 right above page 0), one per PMIIDR below.
# Two more nodes, last, have interrupt GSIs that cannot be used: an SGI,
# which the GIC refuses, and the CPU PMU's PPI. Their devices must be
# created without an interrupt: generic PMUs whose PMIIDRs are 0x5a22343b
# and 0x5a32343b.
. "$(dirname "$0")/lib.sh"

out=${1:?usage: cspmu-fake-apmt.sh OUT-DIR QEMU-COMMAND...}
shift
need python3 aarch64-linux-gnu-gcc aarch64-linux-gnu-objcopy
pmiidrs=0x5a12343b,0x00100a16,0x1030036b,0x2cf0036b,0x7a10036b
mkdir -p "$out"

aarch64-linux-gnu-gcc -O2 -ffreestanding -nostdlib -mstrict-align -mgeneral-regs-only -fno-pic \
	-static -Wl,-Ttext=0 -Wl,-e,_start -Wl,--build-id=none \
	-o "$out/fwcfg-dump.elf" "$TOP/scripts/fwcfg-dump.c"
aarch64-linux-gnu-objcopy -O binary "$out/fwcfg-dump.elf" "$out/fwcfg-dump.bin"
# The last -bios counts; acpi=on: the tables as the firmware gets them.
rm -f "$out/fw_cfg.bin"
timeout 60 "$@" -machine acpi=on -bios "$out/fwcfg-dump.bin" -serial "file:$out/fw_cfg.bin" \
	-display none >"$out/fw_cfg.log" 2>&1 ||
	die "QEMU could not dump its fw_cfg files: $(rel "$out/fw_cfg.log")"
"$TOP/scripts/cspmu-fake-apmt.py" --bad-gsi "$out" "$out/fw_cfg.bin" "$pmiidrs"

printf -- '-machine\nacpi=off\n' >"$out/qemu-args"
for f in etc/acpi/rsdp etc/acpi/tables etc/table-loader etc/cspmu-banks; do
	printf -- '-fw_cfg\nname=%s,file=%s\n' "$f" "$out/${f//\//-}" >>"$out/qemu-args"
done
echo "acpi=force CSPMU_FAKE_BANK=apmt" >"$out/kernel-args"
