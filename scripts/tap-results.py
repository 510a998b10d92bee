#!/usr/bin/env python3
"""Turn a guest console log with kselftest TAP output into result lines.

    tap-results.py [--only "COLLECTION:PROGRAM ..."] CONSOLE-LOG EXPECTED-FAILURES OUT.tsv

Each test case becomes one line "STATUS<TAB>NAME<TAB>DETAIL" in OUT.tsv,
with STATUS one of PASS, FAIL, SKIP, XFAIL (a failure listed in
EXPECTED-FAILURES) and XPASS (a listed failure that passed; a case whose
reason begins with "timing:" fails only on a loaded host, and its pass is
a PASS). A test
program that failed without reporting a failing case (crash, timeout)
is a failure of its own, and so is one that the log ends in (the guest
crashed or ran out of time: "did not finish: N of M cases reported"). The
run also fails when the guest did not
finish the job (scripts/splat-check.sh checks the kernel log).
Exit status: 1 when anything FAILed.
"""
import re
import sys

TOP_RE = re.compile(r'^(not ok|ok) \d+ selftests: (\S+): (\S+)(?:\s+#\s*(.*))?$')
HDR_RE = re.compile(r'^# selftests: (\S+): (\S+)$')
CASE_RE = re.compile(r'^# (not ok|ok) \d+ (.+?)(?:\s+#\s*(.*))?$')
# 6.1's kselftest_harness.h prints a skipped case as "ok N # SKIP reason",
# without its name: the name is that of the case's last RUN line.
CASE_NONAME_RE = re.compile(r'^# (not ok|ok) (\d+)\s+#\s*(.*)$')
RUN_RE = re.compile(r'^# #\s+RUN\s+(\S+)')
STAMP_RE = re.compile(r'^\[\s*\d+\.\d+\]\s?')
PLAN_RE = re.compile(r'^# 1\.\.(\d+)')


def load_expected(path):
    expected = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            name, _, reason = line.partition(' ')
            reason = reason.strip()
            if not reason:
                sys.exit(f'{path}: "{name}" has no reason')
            expected[name] = reason
    return expected


def main():
    args = sys.argv[1:]
    only = []
    if args[:1] == ['--only']:
        only, args = args[1].split(), args[2:]
    log, expected_path, out = args[:3]
    expected = load_expected(expected_path)
    # --only "COLLECTION:PROGRAM ..." (selftests.sh --only): the guest ran
    # only those programs, so the others' expected failures are not missing.
    if only:
        expected = {n: r for n, r in expected.items()
                    if any(n.startswith(p + ':') for p in only)}
    results = []  # (status, name, detail)
    current = None
    plan = None
    last_run = None
    case_failed = False
    ended = False
    with open(log, encoding='utf-8', errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\r\n')
            line = STAMP_RE.sub('', line)
            if line.startswith('=== KSELFTEST END'):
                ended = True
            m = HDR_RE.match(line)
            if m:
                current = f'{m.group(1)}:{m.group(2)}'
                plan = None
                last_run = None
                case_failed = False
                continue
            m = PLAN_RE.match(line)
            if m and current and plan is None:
                plan = int(m.group(1))
                continue
            m = RUN_RE.match(line)
            if m and current:
                last_run = m.group(1)
                continue
            m = CASE_NONAME_RE.match(line)
            if m and current:
                ok, num, directive = m.groups()
                m = (ok, last_run or f'case{num}', directive)
                last_run = None
            else:
                m = CASE_RE.match(line)
                m = m.groups() if m else None
            if m and current:
                ok, case, directive = m
                directive = directive or ''
                name = f'{current}:{case}'
                if directive.upper().startswith('SKIP'):
                    results.append(('SKIP', name, directive[4:].strip()))
                elif ok == 'ok':
                    results.append(('PASS', name, ''))
                else:
                    results.append(('FAIL', name, directive))
                    case_failed = True
                continue
            m = TOP_RE.match(line)
            if m:
                ok, coll, prog, directive = m.groups()
                name = f'{coll}:{prog}'
                directive = directive or ''
                had_cases = any(r[1].startswith(name + ':') for r in results)
                if directive.upper().startswith('SKIP'):
                    if not had_cases:
                        results.append(('SKIP', name, directive[4:].strip()))
                elif ok == 'not ok' and not case_failed:
                    results.append(('FAIL', name, directive or 'program failed'))
                elif ok == 'ok' and not had_cases:
                    results.append(('PASS', name, ''))
                current = None

    if current:
        # The stream ended (a crash, the time limit) inside a program:
        # it did not finish, whatever its cases so far said.
        done = sum(1 for r in results if r[1].startswith(current + ':'))
        results.append(('FAIL', current, f'did not finish: {done} of '
                        f'{plan if plan is not None else "?"} cases reported'))
    if ended and not results:
        results.append(('FAIL', 'kselftests reported results',
                        'the job ended without a single TAP result'))
    if not ended:
        results.append(('FAIL', 'guest finished the kselftest job',
                         'no end marker: kernel crash or time limit'))

    final = []
    seen = set()
    for status, name, detail in results:
        seen.add(name)
        if name in expected:
            if status == 'FAIL':
                status, detail = 'XFAIL', expected[name]
            elif status == 'PASS' and expected[name].startswith('timing:'):
                # Listed as failing on a loaded host only: a pass is
                # a pass, and the list stays true either way.
                detail = 'listed for timing: passed this time'
            elif status == 'PASS':
                status, detail = 'XPASS', 'listed as expected failure: update the list'
        final.append((status, name, detail))
    for name in expected:
        if name not in seen:
            print(f'note: expected failure "{name}" did not run: update the list')

    with open(out, 'a', encoding='utf-8') as f:
        for status, name, detail in final:
            f.write(f'{status}\t{name}\t{detail}\n')
    counts = {}
    for status, _, _ in final:
        counts[status] = counts.get(status, 0) + 1
    for status, name, detail in final:
        if status in ('FAIL', 'XPASS'):
            print(f'    {status} {name}{": " + detail if detail else ""}')
    print('    ' + ', '.join(f'{v} {k}' for k, v in sorted(counts.items())))
    return 1 if counts.get('FAIL') else 0


if __name__ == '__main__':
    sys.exit(main())
