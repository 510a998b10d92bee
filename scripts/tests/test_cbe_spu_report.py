"""The Cell SPU decoder, tools/perf/scripts/python/cbe-spu-report.py.

Builds SPU ELF images itself (two PT_LOAD segments, an overlay pair
sharing one buffer, a symbol table), writes perf.data files by hand (one
cbe_spu event, samples with encoded raw records, switch and lost records,
PERF_RECORD_LOST and PERF_RECORD_LOST_SAMPLES, an MMAP of the file that
holds each image), in both byte orders, and runs Debian's perf script on
them with the script, checking every per-symbol count; tests the
script's decoding functions directly; and checks its record layout and
flags against the PMU's header, arch/powerpc/perf/cbe-spu-pmu.h. Reads
both from linux/ (make tree); skips what needs perf when perf or its
Python support is missing.
"""
import importlib.util
import io
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.join(TOP, 'linux', 'tools', 'perf', 'scripts', 'python', 'cbe-spu-report.py')
HEADER = os.path.join(TOP, 'linux', 'arch', 'powerpc', 'perf', 'cbe-spu-pmu.h')


def load_script():
    spec = importlib.util.spec_from_file_location('cbe_spu_report', SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --- SPU ELF images ---------------------------------------------------------

PF_OVERLAY = 1 << 27
# name, value, size, section index
SYMBOLS = [
    ('main', 0x100, 0x80, 1),
    ('compute', 0x180, 0x100, 1),
    ('helper', 0x280, 0x180, 1),
    ('_ovly_table', 0x1000, 0x20, 2),
    ('_ovly_table_end', 0x1020, 0, 2),
    ('_ovly_buf_table', 0x1040, 4, 2),
    ('_ovly_buf_table_end', 0x1044, 0, 2),
    ('counters', 0x1080, 0x180, 3),
    ('ovl_a', 0x2000, 0x80, 4),
    ('ovl_a2', 0x2080, 0x80, 4),
    ('ovl_b', 0x2000, 0x100, 5),
]


def spu_image():
    """An SPU ELF executable:

    file 0x100 .text (LS 0x100, 0x300): main, compute, helper  segment 0
    file 0x400 .data (LS 0x1000, 0x80) + .bss (LS 0x1080, 0x180)
               overlay table, 2 entries, one buffer     segment 1
    file 0x500 .ovl1 (LS 0x2000, 0x100): ovl_a, ovl_a2  segment 2, overlay
    file 0x600 .ovl2 (LS 0x2000, 0x100): ovl_b          segment 3, overlay
    file 0x700 .symtab, .strtab, .shstrtab, section headers
    """
    img = bytearray(0x700)
    phdrs = [
        (1, 0x100, 0x100, 0x100, 0x300, 0x300, 5, 0x80),
        (1, 0x400, 0x1000, 0x1000, 0x80, 0x200, 6, 0x80),
        (1, 0x500, 0x2000, 0x2000, 0x100, 0x100, 5 | PF_OVERLAY, 0x80),
        (1, 0x600, 0x2000, 0x2000, 0x100, 0x100, 5 | PF_OVERLAY, 0x80),
    ]
    for i, ph in enumerate(phdrs):
        struct.pack_into('>8I', img, 52 + 32 * i, *ph)
    for i, (vma, size, off, buf) in enumerate([(0x2000, 0x100, 0x500, 1), (0x2000, 0x100, 0x600, 1)]):
        struct.pack_into('>4I', img, 0x400 + 16 * i, vma, size, off, buf)
    # a recognisable instruction word at each function's start
    for name, value, size, shndx in SYMBOLS:
        if shndx in (1, 4, 5):
            base = {1: 0x100 - 0x100, 4: 0x500 - 0x2000, 5: 0x600 - 0x2000}[shndx]
            struct.pack_into('>I', img, value + base, 0x40800000)
    strtab = bytearray(b'\0')
    symtab = bytearray(16)
    for name, value, size, shndx in SYMBOLS:
        symtab += struct.pack('>IIIBBH', len(strtab), value, size, 0x12 if shndx != 2 else 0x11, 0, shndx)
        strtab += name.encode() + b'\0'
    symtab += struct.pack('>IIIBBH', 0, 0x2000, 0, 3, 0, 4)    # a section symbol, left out
    shstr = bytearray(b'\0')
    names = {}
    for n in ('.text', '.data', '.bss', '.ovl1', '.ovl2', '.symtab', '.strtab', '.shstrtab'):
        names[n] = len(shstr)
        shstr += n.encode() + b'\0'
    symoff = len(img)
    img += symtab
    stroff = len(img)
    img += strtab
    shstroff = len(img)
    img += shstr
    while len(img) % 4:
        img += b'\0'
    shoff = len(img)
    secs = [
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        (names['.text'], 1, 6, 0x100, 0x100, 0x300, 0, 0, 8, 0),
        (names['.data'], 1, 3, 0x1000, 0x400, 0x80, 0, 0, 16, 0),
        (names['.bss'], 8, 3, 0x1080, 0x480, 0x180, 0, 0, 16, 0),
        (names['.ovl1'], 1, 6, 0x2000, 0x500, 0x100, 0, 0, 8, 0),
        (names['.ovl2'], 1, 6, 0x2000, 0x600, 0x100, 0, 0, 8, 0),
        (names['.symtab'], 2, 0, 0, symoff, len(symtab), 7, 1, 4, 16),
        (names['.strtab'], 3, 0, 0, stroff, len(strtab), 0, 0, 1, 0),
        (names['.shstrtab'], 3, 0, 0, shstroff, len(shstr), 0, 0, 1, 0),
    ]
    for s in secs:
        img += struct.pack('>10I', *s)
    ident = b'\x7fELF\x01\x02\x01' + bytes(9)
    img[0:52] = ident + struct.pack('>HHIIIIIHHHHHH', 2, 23, 1, 0x100, 52, shoff, 0, 52, 32, len(phdrs),
                                    40, len(secs), len(secs) - 1)
    return bytes(img)


# file offset of LS address a in the text, in overlay 1, in overlay 2
def text_off(a):
    return a


def ovl1_off(a):
    return 0x500 + a - 0x2000


def ovl2_off(a):
    return 0x600 + a - 0x2000


# --- cbe_spu records ---------------------------------------------------------

SAMPLE, SWITCH_IN, SWITCH_OUT, LOST = 1, 2, 3, 4
MAPPED, OVERLAY, STALE, NOCTX = 1, 2, 4, 8
NONE32 = 0xffffffff
NONE64 = 0xffffffffffffffff


def raw(rtype, spu, flags, ls_pc, seq, object_id, elf_offset, tgid, tid, version=1):
    return struct.pack('>HHHHIIQQII', 0xcb00 | version, rtype, spu, flags, ls_pc, seq, object_id, elf_offset,
                       tgid, tid)


# --- perf.data --------------------------------------------------------------

PERF_TYPE = 42          # a dynamic PMU type, as cbe_spu would get
SAMPLE_TYPE = 0x1 | 0x2 | 0x4 | 0x80 | 0x100 | 0x400    # IP TID TIME CPU PERIOD RAW
MISC_USER = 2


class PerfData:
    """Writes a perf.data file with one event; o is '<' or '>'."""

    def __init__(self, o):
        self.o = o
        self.records = []

    def sample_id(self, pid, tid, time, cpu):
        return struct.pack(self.o + 'IIQII', pid, tid, time, cpu, 0)

    def add(self, rtype, misc, body):
        size = 8 + len(body)
        assert size % 8 == 0
        self.records.append(struct.pack(self.o + 'IHH', rtype, misc, size) + body)

    def mmap(self, pid, addr, length, pgoff, path, time):
        name = path.encode() + b'\0'
        name += bytes(-len(name) % 8)
        self.add(1, MISC_USER, struct.pack(self.o + 'IIQQQ', pid, pid, addr, length, pgoff) + name +
                 self.sample_id(pid, pid, time, 0))

    def sample(self, rec, time, cpu=0, period=100000):
        # the record, as the raw area: its u32 size, the bytes, padding
        rtype, flags = struct.unpack('>2xH2xH', rec[:8])
        object_id, elf_offset, tgid, tid = struct.unpack('>QQII', rec[16:40])
        pid = -1 & 0xffffffff if tgid == NONE32 else tgid
        ip = 0
        if rtype == SAMPLE and flags & MAPPED:
            ip = object_id + elf_offset
        elif rtype in (SWITCH_IN, SWITCH_OUT):
            ip = object_id
        rawpart = struct.pack(self.o + 'I', 44) + rec + bytes(4)
        body = struct.pack(self.o + 'QIIQIIQ', ip, pid, NONE32 if tid == NONE32 else tid, time, cpu, 0,
                           period if rtype == SAMPLE else 0) + rawpart
        self.add(9, MISC_USER, body)

    def lost(self, n, time):
        self.add(2, 0, struct.pack(self.o + 'QQ', 1, n) + self.sample_id(0, 0, time, 0))

    def lost_samples(self, n, time):
        self.add(13, 0, struct.pack(self.o + 'Q', n) + self.sample_id(0, 0, time, 0))

    def attr(self):
        o = self.o
        flags = (1 << 18)       # sample_id_all
        a = struct.pack(o + 'IIQQQQQIIQQQQIiQIHHIIQ', PERF_TYPE, 128, 0, 100000, SAMPLE_TYPE, 0, flags, 0, 0,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        assert len(a) == 128
        if o == '>':
            # perf swaps the flags word of a foreign file's attr as the
            # bitfield a big-endian compiler laid out: bit 0 is the MSB
            a = a[:48] + struct.pack('>Q', int('{:064b}'.format(flags)[::-1], 2)) + a[56:]
        return a

    def string(self, text):
        # a perf.data header string: u32 size, NUL-padded to 64 bytes
        b = text.encode() + b'\0'
        b += bytes(-len(b) % 64)
        return struct.pack(self.o + 'I', len(b)) + b

    def write(self, path, name=None):
        """With a name, the event gets it in an EVENT_DESC feature section
        (with the HOSTNAME one that a swapped file must have; perf 6.1
        reads names from little-endian files like this only)."""
        o = self.o
        attr = self.attr()
        attrs_off = 104
        file_attr = attr + struct.pack(o + 'QQ', 0, 0)
        data_off = attrs_off + len(file_attr)
        data = b''.join(self.records)
        magic = b'PERFILE2' if o == '<' else b'2ELIFREP'
        features = bytes(32)
        feats = b''
        if name is not None:
            host = self.string('cell')
            desc = struct.pack(o + 'II', 1, 128) + attr + struct.pack(o + 'I', 1) + self.string(name) + \
                struct.pack(o + 'Q', 1)
            at = data_off + len(data) + 32
            feats = struct.pack(o + 'QQQQ', at, len(host), at + len(host), len(desc)) + host + desc
            features = struct.pack(o + 'Q', 1 << 3 | 1 << 12) + bytes(24)    # HOSTNAME, EVENT_DESC
        head = magic + struct.pack(o + 'QQQQQQQQ', 104, 128, attrs_off, len(file_attr), data_off, len(data), 0,
                                   0) + features
        with open(path, 'wb') as f:
            f.write(head + file_attr + data + feats)


# --- the recording the tests decode ------------------------------------------

OBJ_A = 0x10000000      # program A: standalone image, mapped at 0x10000000
OBJ_B = 0x10051230      # program B: embedded at 0x1230 of a PPU program
PPU_EMBED_AT = 0x1230

# (spu, flags, ls_pc, elf_offset or None, count) per program
A_SAMPLES = [
    (1, MAPPED, 0x110, text_off(0x110), 7),                      # main
    (1, MAPPED, 0x1a0, text_off(0x1a0), 5),                      # compute
    (1, MAPPED | STALE, 0x300, text_off(0x300), 2),              # helper
    (1, MAPPED | OVERLAY, 0x2010, ovl1_off(0x2010), 4),          # ovl_a
    (1, MAPPED | OVERLAY, 0x2090, ovl1_off(0x2090), 3),          # ovl_a2
    (1, MAPPED | OVERLAY, 0x2090, ovl2_off(0x2090), 6),          # ovl_b (same PC)
    (1, 0, 0x190, None, 2),                                      # unmapped: compute
    (1, 0, 0x2010, None, 1),                                     # unmapped overlay
    (1, MAPPED, 0x1100, 0x400 + 0x100, 1),                       # counters (bss, offset in ovl1)
]
A_EXPECT = {'ovl_b': 6, 'compute': 7, 'main': 7, 'ovl_a': 4, 'ovl_a2': 3, 'helper': 2,
            '[overlay, not resolved]': 1, 'counters': 1}
B_SAMPLES = [
    (5, MAPPED, 0x120, text_off(0x120), 3),                      # main
    (5, MAPPED | OVERLAY, 0x20f0, ovl2_off(0x20f0), 2),          # ovl_b
]
B_EXPECT = {'main': 3, 'ovl_b': 2}


def recording(tmp, o='<', version=1, name=None):
    """Writes the SPU images and a perf.data file into tmp (its event
    named name, if given); returns the paths (perf.data, A's image, B's
    PPU program)."""
    img = spu_image()
    a_path = os.path.join(tmp, 'prog_a.spu')
    with open(a_path, 'wb') as f:
        f.write(img)
    ppu = bytearray(b'\x7fELF\x02\x02\x01' + bytes(0x40)) + bytes(PPU_EMBED_AT - 0x47) + img + bytes(0x100)
    b_path = os.path.join(tmp, 'ppu_prog')
    with open(b_path, 'wb') as f:
        f.write(ppu)
    pd = PerfData(o)
    t = 1000000000
    pd.mmap(100, OBJ_A, 0x10000, 0, a_path, t)
    pd.mmap(200, 0x10050000, 0x10000, 0, b_path, t)
    seq = 0

    def rec(*args, **kw):
        nonlocal seq, t
        t += 1000
        r = raw(*args[:4], seq, *args[4:], **kw)
        seq += 1
        return r

    pd.sample(rec(SWITCH_IN, 1, 0, 0, OBJ_A, NONE64, 100, 101), t)
    pd.sample(rec(SWITCH_IN, 5, 0, 0, OBJ_B, NONE64, 200, 202), t)
    for prog, samples in ((OBJ_A, A_SAMPLES), (OBJ_B, B_SAMPLES)):
        for spu, flags, pc, off, count in samples:
            tgid = 100 if prog == OBJ_A else 200
            for _ in range(count):
                pd.sample(rec(SAMPLE, spu, flags, pc, prog, NONE64 if off is None else off, tgid, tgid + 1,
                              version=version), t)
    pd.sample(rec(SAMPLE, 3, NOCTX, 0x400, 0, NONE64, NONE32, NONE32), t)
    seq += 5                                 # 5 records the ring buffer lost
    pd.lost(5, t)
    pd.sample(rec(LOST, 0, 0x100 | 0x200, 0, 3, 2, NONE32, NONE32), t)
    pd.lost_samples(19, t)
    pd.sample(rec(SWITCH_OUT, 1, 0, 0, OBJ_A, NONE64, 100, 101), t)
    pd.sample(rec(SWITCH_OUT, 5, 0, 0, OBJ_B, NONE64, 200, 202), t + 5)
    # not perf.data: the script must learn the name from perf
    path = os.path.join(tmp, 'rec.data')
    pd.write(path, name)
    return path, a_path, b_path


def parse_report(text):
    """{(tgid, object id): {name: count}} and the report's other lines."""
    progs = {}
    cur = None
    for line in text.splitlines():
        if line.startswith('program tgid '):
            words = line.split()
            cur = progs.setdefault((int(words[2]), int(words[5].rstrip(':'), 16)), {})
        elif cur is not None and line.strip() == '':
            cur = None
        elif cur is not None and '%  ' in line:
            count, _, name = line.strip().split(None, 2)
            cur[name] = int(count)
    return progs


def perf_works():
    perf = shutil.which('perf')
    if not perf:
        return None, 'perf is not installed'
    try:
        out = subprocess.run([perf, 'script', '-s', 'lang'], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, 'perf script does not run: %s' % e
    if 'python' not in (out.stdout + out.stderr).lower():
        return None, 'this perf has no Python scripting'
    return perf, None


@unittest.skipUnless(os.path.exists(SCRIPT), 'no linux/ tree with the script (make tree)')
class PerfScript(unittest.TestCase):
    """Debian's perf script runs the script on a written perf.data."""

    @classmethod
    def setUpClass(cls):
        cls.perf, why = perf_works()
        if cls.perf is None:
            raise unittest.SkipTest(why)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='cbe-spu-test.')
        self.addCleanup(shutil.rmtree, self.tmp)

    def run_script(self, data, *args):
        # perf script refuses files not owned by the reader unless forced;
        # they are ours here, but -f keeps a shared /tmp from mattering
        cmd = [self.perf, 'script', '-f', '-i', data, '-s', SCRIPT, '--'] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.tmp)

    def check_report(self, o):
        data, a_path, b_path = recording(self.tmp, o)
        out = self.run_script(data, '--image', a_path, '--image', b_path)
        self.assertEqual(out.returncode, 0, out.stderr)
        progs = parse_report(out.stdout)
        self.assertEqual(progs.get((100, OBJ_A)), A_EXPECT, out.stdout)
        self.assertEqual(progs.get((200, OBJ_B)), B_EXPECT, out.stdout)
        self.assertIn('image: %s@0x0' % a_path, out.stdout)
        self.assertIn('image: %s@0x%x' % (b_path, PPU_EMBED_AT), out.stdout)
        self.assertIn('cbe_spu records: 37 samples, 4 switches, 1 lost records', out.stdout)
        self.assertIn('lost: 1 cbe_spu lost records: 3 records dropped, about 2 trace-array entries lost',
                      out.stdout)
        self.assertIn('with a full trace array 1, over the rate bound 1, switch queue full 0',
                      out.stdout)
        self.assertIn('5 records missing by sequence number', out.stdout)
        self.assertIn('PERF_RECORD_LOST: 1 events, 5 records lost', out.stdout)
        self.assertIn('PERF_RECORD_LOST_SAMPLES: 1 events, 19 samples lost', out.stdout)
        self.assertRegex(out.stdout, r'\n +1 +2\.70%  +- +-  \(no context known on the SPU\)\n')
        timeline = out.stdout.split('SPU context switches:\n')[1].splitlines()[1:]
        self.assertEqual([line.split()[1:4] for line in timeline],
                         [['1', 'in', '100'], ['5', 'in', '200'], ['1', 'out', '100'], ['5', 'out', '200']])
        return out

    def test_little_endian_file(self):
        self.check_report('<')

    def test_big_endian_file(self):
        """A perf.data written on a big-endian Cell decodes the same."""
        self.check_report('>')

    def test_bound_by_object_id(self):
        """An image bound by object id; a program without one shows offsets."""
        data, a_path, b_path = recording(self.tmp)
        out = self.run_script(data, '--image', '%#x=%s' % (OBJ_B, b_path), '--no-timeline',
                              '--max-symbols', '1', '--input', os.path.join(self.tmp, 'none.data'))
        self.assertEqual(out.returncode, 0, out.stderr)
        progs = parse_report(out.stdout)
        self.assertEqual(progs[(200, OBJ_B)], {'main': 3})
        # A has a dso that matches no image: no symbols, its offsets
        self.assertEqual(progs[(100, OBJ_A)], {'[offset 0x%x]' % text_off(0x110): 7})
        self.assertNotIn('SPU context switches', out.stdout)
        self.assertIn('PERF_RECORD_LOST: unknown ([Errno 2] No such file or directory', out.stdout)

    def test_refuses_unknown_version(self):
        data, a_path, _ = recording(self.tmp, version=2, name='cbe_spu/cycles/')
        out = self.run_script(data, '--image', a_path)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn('cbe_spu record layout version 2: this script decodes version 1 only', out.stderr)
        self.assertNotIn('program tgid', out.stdout)

    def test_other_event_not_refused(self):
        """Raw areas that look like another version of ours, of an event
        that is not cbe_spu: not decoded, not refused."""
        data, a_path, _ = recording(self.tmp, version=2, name='bpf-output')
        out = self.run_script(data, '--image', a_path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('cbe_spu records: 1 samples, 4 switches', out.stdout)
        self.assertIn('other records and events, not decoded: 36', out.stdout)
        self.assertNotIn('(100, ', str(parse_report(out.stdout)))

    def test_named_event(self):
        """A recording whose event perf names cbe_spu decodes as unnamed."""
        data, a_path, b_path = recording(self.tmp, name='cbe_spu/cycles/')
        out = self.run_script(data, '--image', a_path, '--image', b_path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(parse_report(out.stdout).get((100, OBJ_A)), A_EXPECT, out.stdout)

    def test_ambiguous_object_id_binding(self):
        """OBJID=PATH without @OFFSET on a file with two images fails."""
        data, a_path, _ = recording(self.tmp)
        two = os.path.join(self.tmp, 'two_images')
        with open(two, 'wb') as f:
            f.write(bytes(64) + spu_image() + bytes(64) + spu_image())
        out = self.run_script(data, '--image', '%#x=%s' % (OBJ_A, two))
        self.assertNotEqual(out.returncode, 0)
        self.assertIn('holds 2 SPU images (at 0x40, 0x%x)' % (128 + len(spu_image())), out.stderr)
        self.assertNotIn('program tgid', out.stdout)


@unittest.skipUnless(os.path.exists(SCRIPT), 'no linux/ tree with the script (make tree)')
class Decoding(unittest.TestCase):
    """The script's functions, without perf."""

    @classmethod
    def setUpClass(cls):
        cls.m = load_script()
        cls.img = cls.m.SpuImage(spu_image())

    @unittest.skipUnless(os.path.exists(HEADER), 'no cbe-spu-pmu.h in linux/')
    def test_layout_of_the_kernel(self):
        """The script's layout, types and flags are those of the PMU's header."""
        with open(HEADER) as f:
            h = f.read()
        defines = {n: int(v, 0) for n, v in re.findall(r'#define CBE_SPU_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b', h)}
        self.assertEqual(defines['RAW_MAGIC'], self.m.RAW_MAGIC)
        self.assertEqual(defines['RAW_VERSION'], self.m.RAW_VERSION)
        flags = {n[2:]: v for n, v in defines.items() if n.startswith('F_')}
        self.assertEqual(flags, {n[2:]: getattr(self.m, n) for n in dir(self.m) if n.startswith('F_')})
        body = re.search(r'enum cbe_spu_raw_type \{(.*?)\};', h, re.S).group(1)
        names = re.findall(r'CBE_SPU_RAW_(\w+)', body)
        self.assertEqual(names, ['SAMPLE', 'SWITCH_IN', 'SWITCH_OUT', 'LOST'])
        self.assertIn('CBE_SPU_RAW_SAMPLE = 1,', body)
        self.assertEqual([getattr(self.m, 'TYPE_' + n) for n in names], [1, 2, 3, 4])
        body = re.search(r'struct cbe_spu_raw \{(.*?)\};', h, re.S).group(1)
        fields = re.findall(r'__be(16|32|64) (\w+);', body)
        self.assertEqual('>' + ''.join({'16': 'H', '32': 'I', '64': 'Q'}[b] for b, _ in fields), self.m.RAW_FMT)
        self.assertEqual([n for _, n in fields][1:], list(self.m.Record._fields))

    def test_decode_record(self):
        r = self.m.decode_record(raw(SAMPLE, 9, MAPPED | OVERLAY, 0x2090, 7, OBJ_B, 0x690, 200, 201) + bytes(4))
        self.assertEqual(tuple(r), (SAMPLE, 9, MAPPED | OVERLAY, 0x2090, 7, OBJ_B, 0x690, 200, 201))
        self.assertIsNone(self.m.decode_record(b'\x12\x34' + bytes(42)))
        self.assertIsNone(self.m.decode_record(None))
        # another event's raw data: the magic number alone is not enough
        self.assertIsNone(self.m.decode_record(b'\xcb\x02' + bytes(50), 'bpf-output'))
        with self.assertRaisesRegex(self.m.RecordError, 'version 2'):
            self.m.decode_record(b'\xcb\x02' + bytes(50), 'cbe_spu/cycles/')
        with self.assertRaisesRegex(self.m.RecordError, 'magic'):
            self.m.decode_record(b'\x12\x34' + bytes(42), 'cbe_spu/cycles/')
        with self.assertRaisesRegex(self.m.RecordError, 'without a raw record'):
            self.m.decode_record(None, 'cbe_spu/cycles/')
        with self.assertRaisesRegex(self.m.RecordError, 'version 3'):
            self.m.decode_record(raw(SAMPLE, 0, 0, 0, 0, 0, 0, 0, 0, version=3), 'cbe_spu/cycles/')
        # of the size and magic of ours, but not of an event named cbe_spu:
        # another version is not ours, and not a reason to stop
        self.assertIsNone(self.m.decode_record(raw(SAMPLE, 0, 0, 0, 0, 0, 0, 0, 0, version=3)))
        self.assertIsNone(self.m.decode_record(raw(SAMPLE, 0, 0, 0, 0, 0, 0, 0, 0, version=3) + bytes(4),
                                               'unknown attr type: 42'))
        with self.assertRaisesRegex(self.m.RecordError, '20 bytes'):
            self.m.decode_record(raw(SAMPLE, 0, 0, 0, 0, 0, 0, 0, 0)[:20], 'cbe_spu/cycles/')
        self.assertIsNone(self.m.decode_record(raw(SAMPLE, 0, 0, 0, 0, 0, 0, 0, 0)[:20]))

    def test_segments(self):
        segs = self.img.segments
        self.assertEqual([(s.offset, s.vaddr, s.overlay) for s in segs],
                         [(0x100, 0x100, False), (0x400, 0x1000, False), (0x500, 0x2000, True),
                          (0x600, 0x2000, True)])
        self.assertEqual([x.name for x in segs[0].symbols], ['main', 'compute', 'helper'])
        self.assertEqual([x.name for x in segs[2].symbols], ['ovl_a', 'ovl_a2'])
        self.assertEqual([x.name for x in segs[3].symbols], ['ovl_b'])

    def attribute(self, flags, ls_pc, off):
        return self.img.attribute(self.m.Record(SAMPLE, 0, flags, ls_pc, 0, 1, off, 1, 1))

    def test_overlays_by_offset(self):
        self.assertEqual(self.attribute(MAPPED | OVERLAY, 0x2090, ovl1_off(0x2090)), 'ovl_a2')
        self.assertEqual(self.attribute(MAPPED | OVERLAY, 0x2090, ovl2_off(0x2090)), 'ovl_b')
        self.assertEqual(self.attribute(MAPPED | OVERLAY, 0x2000, ovl2_off(0x2000)), 'ovl_b')

    def test_segments_by_offset(self):
        self.assertEqual(self.attribute(MAPPED, 0x100, 0x100), 'main')
        self.assertEqual(self.attribute(MAPPED, 0x17f, 0x17f), 'main')
        self.assertEqual(self.attribute(MAPPED, 0x180, 0x180), 'compute')
        self.assertEqual(self.attribute(MAPPED, 0x3fc, 0x3fc), 'helper')
        # bss: beyond the data segment's file bytes, at an offset where
        # overlay 1's file bytes lie; the LS PC says which segment it is
        self.assertEqual(self.attribute(MAPPED, 0x1100, 0x500), 'counters')
        self.assertEqual(self.attribute(MAPPED, 0x11f0, 0x5f0), 'counters')
        self.assertEqual(self.attribute(MAPPED | OVERLAY, 0x2000, 0x500), 'ovl_a')
        self.assertEqual(self.attribute(MAPPED, 0x10c0, 0x4c0), 'counters')
        # a PC and offset that no segment maps together: by offset alone
        self.assertEqual(self.attribute(MAPPED, 0x3000, 0x500), 'ovl_a')
        self.assertEqual(self.attribute(MAPPED, 0x1010, 0x410), '_ovly_table')
        # a label (size 0) runs to the next symbol
        self.assertEqual(self.attribute(MAPPED, 0x1030, 0x430), '_ovly_table_end')
        self.assertEqual(self.attribute(MAPPED, 0, 0x5000), '[offset 0x5000 outside the image]')

    def test_labels_and_sizes(self):
        """A label (size 0) ends at the next symbol's value; a sized
        symbol ends at its size, with no label reaching over it."""
        seg = self.m.Segment(0, 0, 0, 0x1000, 0x1000, False)
        S = self.m.Symbol
        seg.symbols = [S('_start', 0, 0, 1), S('main', 0x100, 0x80, 1), S('big', 0x300, 0x200, 1),
                       S('inner', 0x380, 0x10, 1), S('inner_end', 0x390, 0, 1), S('alias', 0x600, 0x40, 1),
                       S('alias_label', 0x600, 0, 1)]
        seg.sort_symbols()
        at = {a: (seg.symbol_at(a) or S(None, 0, 0, 0)).name
              for a in (0, 0x50, 0xfc, 0x100, 0x17c, 0x180, 0x200, 0x2fc, 0x300, 0x384, 0x390, 0x3a0, 0x4fc,
                        0x500, 0x600, 0x63c, 0x640, 0x700)}
        self.assertEqual(at, {0: '_start', 0x50: '_start', 0xfc: '_start', 0x100: 'main', 0x17c: 'main',
                              0x180: None, 0x200: None, 0x2fc: None, 0x300: 'big', 0x384: 'inner',
                              0x390: 'inner_end', 0x3a0: 'inner_end', 0x4fc: 'inner_end', 0x500: 'inner_end',
                              0x600: 'alias', 0x63c: 'alias', 0x640: 'alias_label', 0x700: 'alias_label'})

    def test_many_symbols(self):
        """3000 symbols: every address finds its own, by bisection."""
        seg = self.m.Segment(0, 0, 0, 0x40000, 0x40000, False)
        seg.symbols = [self.m.Symbol('f%d' % i, 0x40 * i, 0x20, 1) for i in range(3000)]
        seg.sort_symbols()
        names = [(seg.symbol_at(a) or self.m.Symbol('-', 0, 0, 0)).name for a in range(0, 0x40 * 3000, 0x10)]
        self.assertEqual(names, [n for i in range(3000) for n in ('f%d' % i, 'f%d' % i, '-', '-')])

    def test_each_key_resolved_once(self):
        """200k samples at 5000 PCs of an image with 3000 symbols are
        counted by (mapped, PC, offset) and each PC is resolved once."""
        rep = self.m.Report()
        img = self.m.SpuImage(spu_image())
        img.segments[0].filesz = img.segments[0].memsz = 0x3000
        img.segments[0].symbols = [self.m.Symbol('f%d' % i, 0x100 + 4 * i, 4, 1) for i in range(3000)]
        img.segments[0].sort_symbols()
        calls = []
        resolve = img.attribute_key

        def counted(key):
            calls.append(key)
            return resolve(key)
        img.attribute_key = counted
        rep.specs = [self.m.ImageSpec('x.spu', 0, None, img)]
        pcs = [0x100 + 4 * (i % 3000) for i in range(5000)]
        recs = [self.m.Record(SAMPLE, 1, MAPPED if i < 2500 else 0, pc, 0, OBJ_A, pc if i < 2500 else NONE64,
                              100, 101) for i, pc in enumerate(pcs)]
        for i in range(200000):
            rec = recs[i % 5000]
            rep.add(rec._replace(seq=i))
        prog = rep.programs[(100, OBJ_A)]
        self.assertFalse(hasattr(prog, 'records'))
        self.assertEqual(len(prog.keys), 5000)
        _, _, hist = rep.histogram(prog)
        self.assertEqual(len(calls), 5000)
        self.assertEqual(sum(hist.values()), 200000)
        self.assertEqual(hist['f0'], 80)        # PC 0x100: 40 mapped + 40 unmapped of each of 2 slots
        self.assertEqual(hist['f2999'], 40)

    def test_unmapped_by_ls(self):
        self.assertEqual(self.attribute(0, 0x1a0, NONE64), 'compute')
        self.assertEqual(self.attribute(0, 0x2010, NONE64), '[overlay, not resolved]')
        self.assertEqual(self.attribute(0, 0x30000, NONE64), '[ls 0x30000, not in the image]')
        self.assertEqual(self.attribute(0, 0x1190, NONE64), 'counters')

    def test_no_symbols(self):
        img = bytearray(spu_image())
        struct.pack_into('>H', img, 48, 0)       # e_shnum
        image = self.m.SpuImage(bytes(img))
        rec = self.m.Record(SAMPLE, 0, MAPPED | OVERLAY, 0x2090, 0, 1, ovl2_off(0x2090), 1, 1)
        self.assertEqual(image.attribute(rec), '[segment 3+0x90]')

    def test_refused_images(self):
        img = spu_image()
        with self.assertRaisesRegex(self.m.ImageError, 'EM_SPU'):
            self.m.SpuImage(img[:18] + b'\0\x15' + img[20:])
        with self.assertRaisesRegex(self.m.ImageError, 'big-endian'):
            self.m.SpuImage(img[:5] + b'\x01' + img[6:])
        with self.assertRaisesRegex(self.m.ImageError, 'PT_LOAD'):
            self.m.SpuImage(img[:44] + b'\0\0' + img[46:])

    def test_embedded(self):
        img = spu_image()
        blob = bytes(100) + img + bytes(7) + img[:18] + b'\0\x15' + img[20:] + img
        self.assertEqual(self.m.find_embedded(blob), [100, 100 + 2 * len(img) + 7])

    def test_image_args(self):
        p = self.m.parse_image_arg
        self.assertEqual(p('a/b.spu'), (None, 'a/b.spu', None))
        self.assertEqual(p('a/b@x.spu'), (None, 'a/b@x.spu', None))
        self.assertEqual(p('ppu@0x1230'), (None, 'ppu', 0x1230))
        self.assertEqual(p('0x10051230=ppu@4656'), (0x10051230, 'ppu', 4656))
        self.assertEqual(p('x=y'), (None, 'x=y', None))

    def test_perf_input(self):
        p = self.m.perf_input
        self.assertEqual(p(['perf', 'script', '-i', 'a.data', '-s', 'x.py', '--', '--image', 'y']), 'a.data')
        self.assertEqual(p(['perf', 'script', '-ib.data', '-s', 'x.py']), 'b.data')
        self.assertEqual(p(['perf', 'script', '--input=c.data']), 'c.data')
        self.assertEqual(p(['perf', 'script', '--input', 'd.data']), 'd.data')
        self.assertEqual(p(['perf', 'script', '-s', 'x.py', '--', '-i', 'e.data'], fifo=False), 'perf.data')
        # perf record -o - | perf script: a ./perf.data is not what it reads
        self.assertIsNone(p(['perf', 'script', '-s', 'x.py', '--', '-i', 'e.data'], fifo=True))
        self.assertIsNone(p(['perf', 'script', '-i', '-', '-s', 'x.py'], fifo=False))
        self.assertEqual(p(['perf', 'script', '-i', 'a.data', '-s', 'x.py'], fifo=True), 'a.data')

    def test_pipe_lost_unknown(self):
        rep = self.m.Report()
        rep.input_why = 'perf script reads a pipe'
        out = io.StringIO()
        rep.print_lost(out)
        self.assertIn('PERF_RECORD_LOST: unknown (perf script reads a pipe)', out.getvalue())

    def test_choose_image(self):
        S = self.m.ImageSpec
        a, b1, b2 = S('/d/a.spu', 0, None, None), S('/d/ppu', 16, None, None), S('/d/ppu', 64, None, None)
        bound = S('/d/ppu', 64, 0x500, None)
        self.assertIs(self.m.choose_image([a, b1, b2, bound], 0x500, ['/d/a.spu'])[0], bound)
        self.assertIs(self.m.choose_image([a, b1, b2], 0x400, ['/x/a.spu'])[0], a)
        self.assertIsNone(self.m.choose_image([a, b1, b2], 0x400, ['/d/ppu'])[0])
        self.assertIs(self.m.choose_image([b1], 0x400, [])[0], b1)
        self.assertIsNone(self.m.choose_image([a, b1], 0x400, [])[0])
        spec, why = self.m.choose_image([S('/d/ppu', 16, 0x500, None), bound], 0x500, [])
        self.assertIsNone(spec)
        self.assertEqual(why, '2 images given for object id 0x500')

    def test_load_images(self):
        img = spu_image()
        broken = bytearray(img)
        struct.pack_into('>I', broken, 28, 0x7fffff00)    # e_phoff beyond the image
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'ppu')
            with open(path, 'wb') as f:
                f.write(bytes(64) + img + bytes(64) + bytes(broken) + bytes(64) + img)
            err = io.StringIO()
            specs = self.m.load_images(path, err)
            at2 = 64 + len(img) + 64
            self.assertEqual([s.offset for s in specs], [64, at2 + len(img) + 64])
            self.assertIn('skipped: %s@0x%x: program headers beyond the image' % (path, at2), err.getvalue())
            # bound to an object id: which of the two is meant is unknown
            with self.assertRaisesRegex(self.m.ImageError, 'holds 2 SPU images'):
                self.m.load_images('0x400=' + path, err)
            self.assertEqual([s.offset for s in self.m.load_images('0x400=%s@64' % path, err)], [64])
            # named by its offset, a broken image is an error
            with self.assertRaisesRegex(self.m.ImageError, 'beyond the image'):
                self.m.load_images('%s@%d' % (path, at2), err)

    def test_count_perf_lost(self):
        with tempfile.TemporaryDirectory() as tmp:
            for o in '<>':
                data, _, _ = recording(tmp, o)
                self.assertEqual(self.m.count_perf_lost(data), (1, 5, 1, 19))
                # in chunks that split records anywhere; no read larger
                reads = []
                real_open = open

                class Reader:
                    def __init__(self, f):
                        self.f = f

                    def __enter__(self):
                        return self

                    def __exit__(self, *a):
                        self.f.close()

                    def seek(self, *a):
                        return self.f.seek(*a)

                    def read(self, n=-1):
                        reads.append(n)
                        return self.f.read(n)
                self.m.open = lambda p, mode: Reader(real_open(p, mode))
                try:
                    for chunk in (8, 13, 24, 100):
                        del reads[:]
                        self.assertEqual(self.m.count_perf_lost(data, chunk), (1, 5, 1, 19))
                        self.assertLessEqual(max(reads[1:]), chunk)
                finally:
                    del self.m.open
            with open(data, 'r+b') as f:
                f.write(b'PERFILE0')
            with self.assertRaisesRegex(ValueError, 'not a perf.data'):
                self.m.count_perf_lost(data)

    def test_report_counts(self):
        rep = self.m.Report()
        rep.timeline = False
        rep.specs = [self.m.ImageSpec('x.spu', 0, None, self.img)]
        recs = [raw(SWITCH_IN, 1, 0, 0, 0, OBJ_A, NONE64, 100, 101),
                raw(SAMPLE, 1, MAPPED | OVERLAY, 0x2010, 1, OBJ_A, ovl1_off(0x2010), 100, 101),
                raw(SAMPLE, 1, MAPPED | OVERLAY, 0x2010, 4, OBJ_A, ovl2_off(0x2010), 100, 101),
                raw(LOST, 0, 0x400, 0, 5, 2, 0, NONE32, NONE32)]
        for r in recs:
            rep.add(self.m.decode_record(r))
        out = io.StringIO()
        rep.print_report(out)
        self.assertEqual(parse_report(out.getvalue())[(100, OBJ_A)], {'ovl_a': 1, 'ovl_b': 1})
        self.assertEqual(rep.seq_gaps, 2)
        self.assertEqual(rep.lost_dropped, 2)
        self.assertIn('switch queue full 1', out.getvalue())

    def test_seq_backwards(self):
        """A record behind the highest sequence number seen does not set
        the baseline back: later gaps count once."""
        rep = self.m.Report()
        for seq in (0, 1, 5, 3, 6, 7, 10):
            rep.add(self.m.Record(SWITCH_IN, 2, 0, 0, seq, OBJ_A, NONE64, 1, 1))
        self.assertEqual(rep.seq_gaps, 5)


if __name__ == '__main__':
    unittest.main()
