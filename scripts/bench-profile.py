#!/usr/bin/env python3
"""Sum the instruction counts of scripts/qemu-insn-plugin.c per kernel
symbol for a run without and a run with the measured event, and write
the difference per context switch (or per WHAT, the unit that COUNT
counts: "perf record"), biggest first.

usage: bench-profile.py NM-OUTPUT WITHOUT WITH COUNT OUT.md [WHAT]
"""
import bisect
import collections
import sys


def symbols(path):
    addrs, names = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "tTwW":
                addrs.append(int(parts[0], 16))
                names.append(parts[2])
    order = sorted(range(len(addrs)), key=addrs.__getitem__)
    return [addrs[i] for i in order], [names[i] for i in order]


def per_symbol(path, addrs, names):
    total = collections.Counter()
    with open(path) as f:
        for line in f:
            vaddr, _, executed = line.split()
            i = bisect.bisect_right(addrs, int(vaddr, 16)) - 1
            total[names[i] if i >= 0 else "?"] += int(executed)
    return total


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    nm, without, with_, switches, out = sys.argv[1:6]
    what = sys.argv[6] if len(sys.argv) > 6 else 'context switch'
    switches = int(switches)
    addrs, names = symbols(nm)
    a = per_symbol(without, addrs, names)
    b = per_symbol(with_, addrs, names)
    delta = (sum(b.values()) - sum(a.values())) / switches
    rows = sorted(set(a) | set(b), key=lambda k: -abs(b[k] - a[k]))
    lines = [
        f"Kernel instructions that the event adds per {what}: "
        f"{delta:.1f} (the two whole runs' difference over {switches} "
        f"{'switches' if what == 'context switch' else what + 's'})",
        "",
        f"| function | without | with | added per {what.split()[-1]} |",
        "|---|---:|---:|---:|",
    ]
    for k in rows[:25]:
        d = (b[k] - a[k]) / switches
        if abs(d) < 0.5:
            break
        lines.append(f"| {k} | {a[k]} | {b[k]} | {d:.1f} |")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
