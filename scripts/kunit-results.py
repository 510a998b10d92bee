#!/usr/bin/env python3
"""Turn kunit.py's JSON results into result lines.

    kunit-results.py RESULTS.json EXPECTED-FAILURES OUT.tsv

Each test case becomes "STATUS<TAB>suite.case<TAB>DETAIL" (suite.case.param
for a parameter of a parameterised case) with STATUS
PASS, FAIL or SKIP, or XFAIL/XPASS for a case listed (with its reason) in
EXPECTED-FAILURES. A results file without any case, or with a suite
that did not complete, is a failure: a test that did not run must not
look like one that passed. Exit status: 1 when anything FAILed.
"""
import json
import sys


def walk(group, prefix, out):
    """Add the cases of GROUP, whose full name is PREFIX ('' for the
    root), and of the groups under it, as suite[.case...].case."""
    for case in group.get('test_cases', []):
        status = case.get('status', 'FAIL')
        # kunit.py adds a case without a name for each one a crash or the
        # time limit left without a result (status ERROR).
        cname = case.get('name') or '(missing result)'
        cname = f'{prefix}.{cname}' if prefix else cname
        if status == 'PASS':
            out.append(('PASS', cname, ''))
        elif status == 'SKIP':
            out.append(('SKIP', cname, case.get('log', '').strip().splitlines()[-1:] and
                        case['log'].strip().splitlines()[-1][:120] or 'skipped'))
        else:
            out.append(('FAIL', cname, status))
    # A parameterised case is a group of its own (a nested KTAP subtest):
    # its parameters are suite.case.parameter.
    for sub in group.get('sub_groups', []):
        name = sub.get('name') or '(missing name)'
        walk(sub, f'{prefix}.{name}' if prefix else name, out)


def main():
    path, expected_path, out_path = sys.argv[1:4]
    expected = {}
    with open(expected_path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                name, _, reason = line.partition(' ')
                if not reason.strip():
                    sys.exit(f'{expected_path}: "{name}" has no reason')
                expected[name] = reason.strip()
    results = []
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        data = None
        results.append(('FAIL', 'kunit results readable', str(e)[:120]))
    if data is not None:
        walk(data, '', results)
        if not any(r[0] in ('PASS', 'FAIL', 'SKIP') for r in results):
            results.append(('FAIL', 'kunit ran test cases', 'no test case in the results'))
    seen = set()
    for i, (status, name, detail) in enumerate(results):
        seen.add(name)
        if name in expected and status == 'FAIL':
            results[i] = ('XFAIL', name, expected[name])
        elif name in expected and status == 'PASS':
            results[i] = ('XPASS', name, 'listed as expected failure: update the list')
            print(f'    XPASS {name}: listed as expected failure: update the list')
    for name in expected:
        if name not in seen:
            print(f'note: expected failure "{name}" did not run: update the list')
    with open(out_path, 'a', encoding='utf-8') as f:
        for status, name, detail in results:
            f.write(f'{status}\t{name}\t{detail}\n')
    counts = {}
    for status, name, detail in results:
        counts[status] = counts.get(status, 0) + 1
        if status == 'FAIL':
            print(f'    FAIL {name}{": " + detail if detail else ""}')
    print('    ' + ', '.join(f'{v} {k}' for k, v in sorted(counts.items())))
    return 1 if counts.get('FAIL') else 0


if __name__ == '__main__':
    sys.exit(main())
