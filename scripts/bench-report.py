#!/usr/bin/env python3
"""Compare BENCH lines of a base and a patched guest run, and check goals.

    bench-report.py BASE.console PATCHED.console OUT.json OUT.md [FIXES.console]

Writes every benchmark's base value, patched value and patched/base ratio
(below 1.0: the patched kernel is faster), and the goals below, each a
ratio of two results with its limit (the largest ratio allowed, compared
unrounded), as JSON and as a table. Exit status 1 when a result is
missing or a goal is not met, or when a console cannot be read or has a
BENCH line without a number (the outputs are written all the same,
without what is missing).

FIXES.console is the run of a third kernel, the series without its
ring-buffer fast path (scripts/bench-fixes-tree.sh): its values and
their ratio to the base get columns of their own, and the goals on
'fixes:' results are unmet without it.
"""
import json
import re
import sys

LINE = re.compile(r'^BENCH (\S+) (\S+) (\S+)')
SKIP = re.compile(r'^BENCH-SKIP (\S+) (.*)$')

# (name, numerator, denominator, limit, why). 'base:X', 'patched:X' and
# 'fixes:X' are benchmark X on that kernel.
GOALS = [
    ('no events: open+read+close', 'patched:open_read_close', 'base:open_read_close', 1.01,
     'a patched kernel with no per-task data users is not slower than base'),
    ('no events: pipe ping-pong', 'patched:pipe_pingpong', 'base:pipe_pingpong', 1.01,
     'the same for context switches'),
    ('no events: fork+exit', 'patched:fork_exit', 'base:fork_exit', 1.01,
     'the same for fork and exit'),
    ('context switch, system-wide test-PMU event', 'patched:pingpong_sw_event', 'patched:pipe_pingpong', 1.03,
     'sched_task() with per-task data costs at most 3% of a switch round trip '
     '(not met: 142 instructions a switch, the CPU context locked as upstream does; README)'),
    ('fork+exit, global reference', 'patched:fork_exit_global', 'patched:fork_exit', 1.10,
     'giving a new thread data and freeing it at exit costs at most 10%'),
    ('first system-wide open, 16k/4k threads', 'patched:open_first_16000threads', 'patched:open_first_4000threads', 4.5,
     'the first open is one pass over the threads: linear'),
    ('second system-wide open, 16k threads vs none', 'patched:open_second_16000threads', 'patched:open_second_0threads', 1.5,
     'later opens do not depend on the number of threads'),
    ('refused system-wide open, 16k threads vs none', 'patched:open_refused_16000threads', 'patched:open_refused_0threads', 1.2,
     'an open the permission check refuses costs nothing per thread'),
    ('sample path, one page-fault sample', 'patched:sample_cost', 'base:sample_cost', 0.90,
     'fixed-size fields copied inline: at least 10% fewer instructions per sample'),
    ('the fixes alone, one page-fault sample', 'fixes:sample_cost', 'base:sample_cost', 1.01,
     'without the fast path, the series costs at most 1% more per sample than base'),
    ('the fixes alone, one tracepoint record', 'fixes:tp_perf', 'base:tp_perf', 1.01,
     'the same for a tracepoint sample with raw data'),
    ('flood: every sample read or counted lost', 'patched:rb_flood_unaccounted', 'patched:rb_flood_attempted', 0,
     'a flood run loses nothing that is not counted: attempted = read + lost, exactly'),
]


def load(path, errors):
    values, skipped = {}, {}
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = f.readlines()
    except OSError as e:
        errors.append(f'cannot read {path}: {e.strerror}')
        return values, skipped
    for line in lines:
        line = line.strip()
        m = LINE.match(line)
        if m:
            try:
                values[m.group(1)] = (float(m.group(2)), m.group(3))
            except ValueError:
                errors.append(f'{path}: not a number: {line[:120]}')
            continue
        m = SKIP.match(line)
        if m:
            skipped[m.group(1)] = m.group(2)
    return values, skipped


def main():
    base_path, patched_path, out_json, out_md = sys.argv[1:5]
    fixes_path = sys.argv[5] if len(sys.argv) > 5 else None
    errors = []
    (base, base_skip), (patched, patched_skip) = load(base_path, errors), load(patched_path, errors)
    fixes, _ = load(fixes_path, errors) if fixes_path else ({}, {})
    kernels = {'base': base, 'patched': patched, 'fixes': fixes}
    rows = []
    for name in sorted(set(base) | set(patched) | set(base_skip) | set(patched_skip)):
        b = base.get(name, (None, ''))[0]
        p = patched.get(name, (None, ''))[0]
        unit = (patched.get(name) or base.get(name) or (None, ''))[1]
        ratio = round(p / b, 4) if b and p is not None else None
        note = base_skip.get(name) and f'base: {base_skip[name]}' or ''
        row = {'name': name, 'unit': unit, 'base': b, 'patched': p, 'ratio': ratio, 'note': note}
        if fixes_path:
            f = fixes.get(name, (None, ''))[0]
            row['fixes'] = f
            row['fixes_ratio'] = round(f / b, 4) if b and f is not None else None
        rows.append(row)
    goals = []
    for title, num, den, limit, why in GOALS:
        nk, nn = num.split(':')
        dk, dn = den.split(':')
        n = kernels[nk].get(nn, (None,))[0]
        d = kernels[dk].get(dn, (None,))[0]
        exact = n / d if n is not None and d else None
        # Shown to 4 decimals, unless that would show a ratio that is not
        # 0 as 0; compared unrounded, so that a limit of 0 means none.
        value = exact if exact is None else round(exact, 4) or exact
        goals.append({'goal': title, 'ratio': f'{num} / {den}', 'value': value, 'limit': limit,
                      'met': exact is not None and exact <= limit, 'why': why})
    with open(out_json, 'w', encoding='utf-8') as f:
        json.dump({'clock': 'QEMU -icount shift=3', 'benchmarks': rows, 'goals': goals}, f, indent=2)
        f.write('\n')
    with open(out_md, 'w', encoding='utf-8') as f:
        if fixes_path:
            f.write('| benchmark | unit | base | patched | patched/base | fixes | fixes/base | note |\n')
            f.write('|---|---|---:|---:|---:|---:|---:|---|\n')
        else:
            f.write('| benchmark | unit | base | patched | patched/base | note |\n')
            f.write('|---|---|---:|---:|---:|---|\n')
        for r in rows:
            fx = f"{r['fixes']} | {r['fixes_ratio']} | " if fixes_path else ''
            f.write(f"| {r['name']} | {r['unit']} | {r['base']} | {r['patched']} | {r['ratio']} "
                    f"| {fx}{r['note']} |\n")
        f.write('\n| goal | ratio | value | limit | met |\n')
        f.write('|---|---|---:|---:|---|\n')
        for g in goals:
            f.write(f"| {g['goal']} | {g['ratio']} | {g['value']} | {g['limit']} "
                    f"| {'yes' if g['met'] else 'NO'} |\n")
    status = 0
    for e in errors:
        print(e, file=sys.stderr)
        status = 1
    missing = [r['name'] for r in rows if r['patched'] is None]
    if missing:
        print(f'missing results on the patched kernel: {", ".join(missing)}', file=sys.stderr)
        status = 1
    unmet = [g['goal'] for g in goals if not g['met']]
    if unmet:
        print(f'goals not met: {"; ".join(unmet)}', file=sys.stderr)
        status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
