#!/usr/bin/env python3
"""Fake CoreSight PMU register banks for an arm64 QEMU 'virt' guest that
boots through UEFI with ACPI, described by an APMT (Arm DEN0117).

    cspmu-fake-apmt.py [--bad-gsi] OUT-DIR FW-CFG-DUMP PMIIDR,...

QEMU 7.2's -acpitable is x86-only ("Option not supported for this
target"), so the table reaches the firmware the way QEMU's own tables do:
through fw_cfg and QEMU's ACPI linker/loader script. FW-CFG-DUMP is what
fwcfg-dump.c wrote of the guest machine's fw_cfg files (its directory,
then each file); of them, etc/acpi/rsdp, etc/acpi/tables and
etc/table-loader are used. Written to OUT-DIR:

  etc-acpi-rsdp, etc-acpi-tables  QEMU's, with an APMT (one node per bank,
                                  dual-page, no interrupt) appended to the
                                  tables, and a slot that points at it
  etc-cspmu-banks                 the banks' initial contents: for each,
                                  page 0 (PMCFGR = 0x5f07 at 0xe00, PMIIDR
                                  at 0xe08) and page 1 right above it
  etc-table-loader                QEMU's script plus: allocate the banks,
                                  patch their addresses into the APMT's
                                  nodes, fix its checksum, point at it
  apmt.bin                        the APMT as generated (addresses relative
                                  to the banks' blob), for a look with iasl

The firmware (edk2's QemuFwCfgAcpiPlatformDxe, in Debian's QEMU_EFI.fd)
copies etc-cspmu-banks into memory that it allocates as ACPI NVS, patches
the APMT and installs it with the other tables. A blob that a pointer
leads to and that is not an ACPI table is kept for the OS: so the banks
stay at an address that neither the firmware nor Linux (which reserves
NVS memory, outside its linear map) uses for anything else.

The guest must then run with -machine acpi=off (so that QEMU adds no ACPI
files of its own) and these four files as -fw_cfg name=etc/...; the
firmware's choice of ACPI over devicetree depends only on fw_cfg holding
etc/table-loader.

--bad-gsi adds two more nodes whose overflow interrupts cannot be used:
GSI 8, an SGI, which the GIC refuses to map, and GSI 23, the CPU PMU's
per-CPU interrupt (PPI). The kernel must create both devices without an
interrupt. Their banks have PMIIDR 0x5a22343b and 0x5a32343b.
"""
import struct
import sys

PAGE = 0x1000
# --bad-gsi nodes: (GSI, interrupt flags, PMIIDR). GSI 8 is an SGI, which
# the GIC refuses; GSI 23 the PPI of the CPU PMU on QEMU virt, level
# (bit 0 clear) as the CPU PMU maps it, so that registering it returns
# that per-CPU mapping.
BAD_GSI_NODES = [(8, 1, 0x5a22343b), (23, 0, 0x5a32343b)]
BANKS_FILE = 'etc/cspmu-banks'
TABLES_FILE = 'etc/acpi/tables'
LOADER_ENTRY = 128              # BiosLinkerLoaderEntry
ALLOCATE, ADD_POINTER, ADD_CHECKSUM = 1, 2, 3
ZONE_HIGH = 1
APMT_HEADER = 36                # struct acpi_table_apmt: the header only
APMT_NODE = 56                  # struct acpi_apmt_node
APMT_REVISION = 0               # DEN0117 1.0 tables are revision 0
FLAGS_DUAL_PAGE = 1 << 0
NODE_TYPE_MC = 0


def read_dump(path):
    """fw_cfg's files from fwcfg-dump.c's output: name -> contents."""
    with open(path, 'rb') as f:
        d = f.read()
    count = struct.unpack_from('>I', d)[0]
    off, files = 4 + 64 * count, {}
    for i in range(count):
        size = struct.unpack_from('>I', d, 4 + 64 * i)[0]
        name = d[4 + 64 * i + 8:4 + 64 * (i + 1)].split(b'\0')[0].decode()
        files[name] = d[off:off + size]
        off += size
    if off != len(d):
        sys.exit('%s: %d bytes, the directory says %d' % (path, len(d), off))
    return files


def checksum(data):
    return (-sum(data)) & 0xff


def name56(name):
    return name.encode().ljust(56, b'\0')


def entry(command, body):
    return struct.pack('<I', command) + body.ljust(LOADER_ENTRY - 4, b'\0')


def allocate(name, align):
    return entry(ALLOCATE, name56(name) + struct.pack('<IB', align, ZONE_HIGH))


def add_pointer(dest, src, offset, size=8):
    """At @offset in @dest, add @src's address to the @size-byte value there."""
    return entry(ADD_POINTER, name56(dest) + name56(src) + struct.pack('<IB', offset, size))


def add_checksum(name, offset, start, length):
    return entry(ADD_CHECKSUM, name56(name) + struct.pack('<III', offset, start, length))


def apmt_node(node_id, page0, page1, gsi=0, irq_flags=0):
    """One node: a memory controller PMU, dual-page, wired interrupt @gsi."""
    return struct.pack('<HBBIQIQQIIIII', APMT_NODE, FLAGS_DUAL_PAGE, NODE_TYPE_MC, node_id,
                       0, 0, page0, page1, gsi, 0, irq_flags, 0, 0)


def main():
    argv = sys.argv[1:]
    bad_gsi = argv[:1] == ['--bad-gsi']
    if bad_gsi:
        argv = argv[1:]
    if len(argv) != 3:
        sys.exit(__doc__)
    out, files, pmiidrs = argv[0], read_dump(argv[1]), [int(x, 0) for x in argv[2].split(',')]
    blobs = {}
    for name in ('etc/acpi/rsdp', TABLES_FILE, 'etc/table-loader'):
        if name not in files:
            sys.exit('QEMU built no %s (ACPI off? no -bios?)' % name)
        blobs[name] = bytearray(files[name])

    # The banks: bank i's page 0 at 2 i pages, its page 1 right above.
    # The bad-GSI nodes' banks come last, generic PMUs of their own
    # products (0x5a2, 0x5a3), since their devices have no interrupt.
    irqs = [(0, 0)] * len(pmiidrs)
    if bad_gsi:
        pmiidrs = pmiidrs + [n[2] for n in BAD_GSI_NODES]
        irqs = irqs + [(n[0], n[1]) for n in BAD_GSI_NODES]
    nr_nodes = len(pmiidrs)
    banks = bytearray(2 * PAGE * nr_nodes)
    for i, pmiidr in enumerate(pmiidrs):
        struct.pack_into('<II', banks, 2 * PAGE * i + 0xe00, 0x5f07, 0)   # PMCFGR, PMCR
        struct.pack_into('<I', banks, 2 * PAGE * i + 0xe08, pmiidr)       # PMIIDR

    # The APMT, 8-byte aligned at the end of QEMU's tables, then the slot.
    tables = blobs[TABLES_FILE]
    tables += bytes(-len(tables) % 8)
    at = len(tables)
    nodes = b''.join(apmt_node(i, 2 * PAGE * i, 2 * PAGE * i + PAGE,
                               gsi=irqs[i][0], irq_flags=irqs[i][1])
                     for i in range(nr_nodes))
    length = APMT_HEADER + len(nodes)
    header = struct.pack('<4sIBB6s8sI4sI', b'APMT', length, APMT_REVISION, 0, b'SEED  ',
                         b'CSPMUFAK', 1, b'SEED', 1)
    apmt = bytearray(header + nodes)
    # The firmware sums the checksum field too: it must be 0 in the blob.
    tables += apmt
    apmt[9] = checksum(apmt)
    with open(out + '/apmt.bin', 'wb') as f:
        f.write(apmt)
    slot = len(tables)
    tables += struct.pack('<Q', at)

    loader = blobs['etc/table-loader']
    loader += allocate(BANKS_FILE, PAGE)
    for i in range(nr_nodes):
        node = at + APMT_HEADER + APMT_NODE * i
        loader += add_pointer(TABLES_FILE, BANKS_FILE, node + 20)     # base_address0
        loader += add_pointer(TABLES_FILE, BANKS_FILE, node + 28)     # base_address1
    loader += add_checksum(TABLES_FILE, at + 9, at, length)
    # The firmware installs the tables that pointers lead to.
    loader += add_pointer(TABLES_FILE, TABLES_FILE, slot)

    for name, data in (('etc/acpi/rsdp', blobs['etc/acpi/rsdp']), (TABLES_FILE, tables),
                       ('etc/table-loader', loader), (BANKS_FILE, banks)):
        with open('%s/%s' % (out, name.replace('/', '-')), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
