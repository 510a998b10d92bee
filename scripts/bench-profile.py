#!/usr/bin/env python3
"""Sum the instruction counts of scripts/qemu-insn-plugin.c per kernel
symbol for a run without and a run with the measured event, and write
the difference per context switch (or per WHAT, the unit that COUNT
counts: "perf record"), biggest first.

usage: bench-profile.py NM-OUTPUT WITHOUT WITH COUNT OUT.md [WHAT]

With --compare, the same difference for several kernels side by side,
each kernel's counts mapped to its own symbols:

usage: bench-profile.py --compare COUNT OUT.md WHAT \\
           (LABEL NM-OUTPUT WITHOUT WITH)...
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


def compare(argv):
    if len(argv) < 7 or (len(argv) - 3) % 4:
        sys.exit(__doc__)
    count, out, what = int(argv[0]), argv[1], argv[2]
    labels, deltas, totals = [], [], []
    for i in range(3, len(argv), 4):
        label, nm, without, with_ = argv[i:i + 4]
        addrs, names = symbols(nm)
        a = per_symbol(without, addrs, names)
        b = per_symbol(with_, addrs, names)
        labels.append(label)
        deltas.append({k: (b[k] - a[k]) / count for k in set(a) | set(b)})
        totals.append((sum(b.values()) - sum(a.values())) / count)
    keys = set().union(*deltas)

    def spread(k):
        vals = [d.get(k, 0.0) for d in deltas]
        return (-(max(vals) - min(vals)), -max(abs(v) for v in vals))

    lines = [
        f"Kernel instructions per {what} (the whole runs' difference with "
        f"and without it over {count}), per function; the functions whose "
        f"counts differ most between the kernels first",
        "",
        "| function | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(labels),
        "| **all** | " + " | ".join(f"**{t:.1f}**" for t in totals) + " |",
    ]
    rows = [k for k in sorted(keys, key=spread)
            if max(abs(d.get(k, 0.0)) for d in deltas) >= 0.5]
    for k in rows[:40]:
        vals = [d.get(k, 0.0) for d in deltas]
        lines.append(f"| {k} | " + " | ".join(f"{v:.1f}" for v in vals) + " |")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--compare":
        compare(sys.argv[2:])
        return
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
