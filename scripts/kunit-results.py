#!/usr/bin/env python3
"""Turn kunit.py's JSON results into result lines.

    kunit-results.py RESULTS.json OUT.tsv

Each test case becomes "STATUS<TAB>suite.case<TAB>DETAIL" with STATUS
PASS, FAIL or SKIP. A results file without any case, or with a suite
that did not complete, is a failure: a test that did not run must not
look like one that passed. Exit status: 1 when anything FAILed.
"""
import json
import sys


def walk(group, prefix, out):
    name = group.get('name', '')
    full = f'{prefix}.{name}' if prefix and name else (name or prefix)
    for case in group.get('test_cases', []):
        status = case.get('status', 'FAIL')
        cname = f'{full}.{case.get("name", "?")}' if full else case.get('name', '?')
        if status == 'PASS':
            out.append(('PASS', cname, ''))
        elif status == 'SKIP':
            out.append(('SKIP', cname, case.get('log', '').strip().splitlines()[-1:] and
                        case['log'].strip().splitlines()[-1][:120] or 'skipped'))
        else:
            out.append(('FAIL', cname, status))
    for sub in group.get('sub_groups', []):
        walk(sub, full if prefix else '', out)


def main():
    path, out_path = sys.argv[1:3]
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
