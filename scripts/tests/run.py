#!/usr/bin/env python3
"""Run the harness's own unit tests (scripts/tests/test_*.py).

    run.py [OUT.tsv]

With OUT.tsv, appends one line per test, "STATUS<TAB>harness: NAME<TAB>DETAIL"
(PASS, FAIL or SKIP), for the totals of 'make test'. Exit status: 1 when
a test failed or could not be loaded.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []

    @staticmethod
    def name(test):
        return 'harness: ' + test.id().replace('\t', ' ')

    @staticmethod
    def first_line(err):
        line = str(err[1]).strip().splitlines()[:1] or [err[0].__name__]
        return line[0].replace('\t', ' ')[:160]

    def addSuccess(self, test):
        super().addSuccess(test)
        self.rows.append(('PASS', self.name(test), ''))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.rows.append(('FAIL', self.name(test), self.first_line(err)))

    def addError(self, test, err):
        super().addError(test, err)
        self.rows.append(('FAIL', self.name(test), self.first_line(err)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.rows.append(('SKIP', self.name(test), reason))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.rows.append(('FAIL', self.name(test), 'expected to fail, passed'))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.rows.append(('PASS', self.name(test), 'expected failure'))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else None
    suite = unittest.defaultTestLoader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)
    result = unittest.TextTestRunner(resultclass=Recorder, verbosity=1).run(suite)
    if out:
        with open(out, 'a', encoding='utf-8') as f:
            for row in result.rows:
                f.write('\t'.join(row) + '\n')
            if not result.rows:
                f.write('FAIL\tharness: unit tests ran\tno test found\n')
    return 0 if result.wasSuccessful() and result.rows else 1


if __name__ == '__main__':
    sys.exit(main())
