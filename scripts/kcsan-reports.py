#!/usr/bin/env python3
"""Sort the KCSAN reports of a guest's kernel log into series and 6.1 code.

    kcsan-reports.py LOG OBJDIR TOUCHED OUT

LOG is a guest's console (a kselftest console holds the log twice: as it
came and as /init's dmesg dump; each report counts once). OBJDIR is the
object folder of the KCSAN kernel that ran. TOUCHED lists the files the
series changes (scripts/touched.sh), relative to the kernel tree.

A report ("BUG: KCSAN: data-race in A / B", then one stack per access)
is in series code when a frame of either access's stack is a function of
a file the series changes:

  - C files: the functions their objects in OBJDIR define (nm: what
    vmlinux or a module holds, static functions included), by name. A
    static function of another file with the same name counts too: the
    frame's size ("f+0x1d/0xb0") cannot tell them apart, as kallsyms
    counts the padding up to the next symbol in it.
  - headers: the inline functions whose lines the series changes (only
    seen when the compiler kept them out of line; inlined code shows as
    the function it was inlined into).

A stack is read up to its first interrupt or exception entry (asm_*):
the frames below belong to the code the interrupt stopped, not to the
access. Races whose stacks lie elsewhere are plain 6.1 races (scheduler,
mm, printk...): listed with that reason, not failed.

OUT gets every distinct report with its verdict. The last lines on
stdout are "series N" and "other N"; the exit status is 1 when a report
is in series code.
"""
import os
import re
import subprocess
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')
HEADER = re.compile(r'BUG: KCSAN: (.*)$')
ACCESS = re.compile(r'^(?:race at unknown origin, with )?(.+ to 0x[0-9a-f]+ of \d+ bytes by .+ on cpu \d+):$')
FRAME = re.compile(r'^\s*(?:\|\s*)?(?:\+-> reordered to: )?([A-Za-z_][\w.]*)\+0x([0-9a-f]+)/0x([0-9a-f]+)'
                   r'(?:\s+\[(\w+)\])?\s*$')
END = re.compile(r'Reported by Kernel Concurrency Sanitizer|^={20,}')


def base_name(sym):
    """f.isra.0, f.constprop.0, f.part.0, f.cold: the function is f."""
    return sym.split('.', 1)[0]


def header_functions(linux, header):
    """Inline functions of a touched header whose lines the series changes."""
    names = set()
    diff = subprocess.run(['git', '-C', linux, 'diff', '-U0', 'base..HEAD', '--', header],
                          capture_output=True, text=True, check=False).stdout
    defn = re.compile(r'^static\s+(?:__always_inline|inline)\b[^(;=]*?\b(\w+)\s*\(')
    for line in diff.splitlines():
        if line.startswith('@@'):
            # Hunk context: the column-0 line above the change, a function
            # when the change lies in its body.
            m = defn.match(line.split('@@', 2)[-1].strip())
        elif line.startswith('+') and not line.startswith('+++'):
            m = defn.match(line[1:])
        else:
            m = None
        if m:
            names.add(m.group(1))
    return names


def touched_functions(objdir, linux, touched):
    """{name: set of files} for the series' functions."""
    funcs = {}
    for f in touched:
        if f.endswith('.c'):
            obj = os.path.join(objdir, f[:-2] + '.o')
            if not os.path.exists(obj):
                continue
            out = subprocess.run(['nm', '-S', '--defined-only', obj],
                                 capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 4 and parts[2] in 'tTwW':
                    funcs.setdefault(base_name(parts[3]), set()).add(f)
        elif f.endswith('.h') and not f.startswith(('tools/', 'scripts/')):
            for name in header_functions(linux, f):
                funcs.setdefault(name, set()).add(f)
    return funcs


def parse(path):
    """Distinct reports: (header, [(access line, [(func, size, module)])], text)."""
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = [TS.sub('', l.rstrip('\n')) for l in f]
    reports, seen = [], set()
    i = 0
    while i < len(lines):
        m = HEADER.search(lines[i])
        if not m:
            i += 1
            continue
        header, stacks, text = m.group(1), [], [lines[i]]
        j = i + 1
        while j < len(lines) and j < i + 400 and not HEADER.search(lines[j]):
            line = lines[j]
            text.append(line)
            if END.search(line):
                break
            a = ACCESS.match(line.strip())
            fr = FRAME.match(line)
            if a:
                stacks.append((a.group(1), []))
            elif fr and stacks:
                stacks[-1][1].append((fr.group(1), int(fr.group(3), 16), fr.group(4)))
            j += 1
        key = (header, tuple(tuple(f[0] for f in s[1]) for s in stacks))
        if key not in seen:
            seen.add(key)
            reports.append((header, stacks, text))
        i = j + 1
    return reports


def in_series(stacks, funcs):
    """The frames of series functions: 'func (file)' strings."""
    hits = []
    for _, frames in stacks:
        for name, _, _ in frames:
            for f in funcs.get(base_name(name), ()):
                hits.append(f'{name} ({f})')
            if name.startswith('asm_'):
                break
    return list(dict.fromkeys(hits))


def main():
    log, objdir, touched_path, out_path = sys.argv[1:5]
    linux = os.environ.get('LINUX', os.path.join(os.path.dirname(__file__), '..', 'linux'))
    with open(touched_path, encoding='utf-8') as f:
        touched = [l.strip() for l in f if l.strip()]
    funcs = touched_functions(objdir, linux, touched)
    if not funcs:
        print(f'error: no function of the series found in the objects of {objdir}', file=sys.stderr)
        return 2
    reports = parse(log)
    nseries = nother = 0
    with open(out_path, 'w', encoding='utf-8') as out:
        for header, stacks, text in reports:
            hits = in_series(stacks, funcs)
            if not stacks or not any(s[1] for s in stacks):
                verdict = 'SERIES'
                reason = 'no stack could be read: cannot tell where it is'
            elif hits:
                verdict = 'SERIES'
                reason = 'race in code the series changes: ' + ', '.join(hits[:6])
            else:
                verdict = 'OTHER'
                reason = 'race in 6.1 code the series does not change'
            if verdict == 'SERIES':
                nseries += 1
            else:
                nother += 1
            print(f'{verdict}\t{header}\t{reason}')
            out.write(f'### {verdict}: {header}\n### {reason}\n')
            out.write('\n'.join(text) + '\n\n')
    print(f'series {nseries}')
    print(f'other {nother}')
    return 1 if nseries else 0


if __name__ == '__main__':
    sys.exit(main())
