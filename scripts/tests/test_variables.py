"""Every environment variable the scripts read is in README.md's table.

The scripts in scripts/ read their knobs from the environment as
${NAME:-default}, ${NAME-default}, ${NAME:+...}, ${NAME:=...} or
${NAME:?...} (set -u forbids a bare $NAME that may be unset), the Python
ones through os.environ / os.getenv, the makefiles (Makefile,
scripts/gate.mk) as NAME ?= ... or $(NAME) of a NAME they never set. Each
such NAME must be a row of the table under '## Variables' in README.md,
and each row must name a variable something still reads, so that the
table neither misses a knob nor keeps one that is gone. The variables of
a build target's file (configs/targets/*: ARCH, FRAGMENTS, ...) are the
target's, not the environment's, and are not required.
"""
import glob
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

SHELL_READ = re.compile(r'\$\{([A-Z_][A-Z0-9_]*)(?::?[-+=?])')
PY_READ = re.compile(r'''os\.(?:environ(?:\.get)?\s*[\[(]|getenv\s*\()\s*['"]([A-Z_][A-Z0-9_]*)['"]''')
MAKE_DEFAULT = re.compile(r'^([A-Z_][A-Z0-9_]*)\s*\?=', re.M)
MAKE_SET = re.compile(r'^(?:export\s+|override\s+)?([A-Z_][A-Z0-9_]*)\s*(?::=|::=|=|\+=)', re.M)
MAKE_USE = re.compile(r'\$\(([A-Z_][A-Z0-9_]*)\)')
# make's own variables and the environment every process has.
STANDARD = {'MAKE', 'MAKEFLAGS', 'MAKEFILE_LIST', 'CURDIR', 'SHELL', 'HOME', 'PATH', 'PWD', 'USER', 'TERM',
            'TMPDIR'}
TABLE_ROW = re.compile(r'^\|\s*`([A-Z_][A-Z0-9_]*)`\s*\|', re.M)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def target_variables(top):
    names = set()
    # load_target (scripts/lib.sh) empties them before reading the file.
    m = re.search(r'^load_target\(\) \{\n(.*?)^\}', read(os.path.join(top, 'scripts', 'lib.sh')), re.M | re.S)
    names.update(re.findall(r'\b([A-Z_][A-Z0-9_]*)=(?=\s)', m.group(1)))
    for path in glob.glob(os.path.join(top, 'configs', 'targets', '*')):
        names.update(re.findall(r'^([A-Z_][A-Z0-9_]*)=', read(path), re.M))
    return names


def read_variables(top):
    """NAME -> the files that read it from the environment."""
    found = {}

    def add(name, path):
        found.setdefault(name, set()).add(os.path.relpath(path, top))

    for path in glob.glob(os.path.join(top, 'scripts', '*.sh')) + [os.path.join(top, '.ci', 'run')]:
        for name in SHELL_READ.findall(read(path)):
            add(name, path)
    for path in glob.glob(os.path.join(top, 'scripts', '*.py')):
        for name in PY_READ.findall(read(path)):
            add(name, path)
    makefiles = [os.path.join(top, 'Makefile')] + glob.glob(os.path.join(top, 'scripts', '*.mk'))
    text = {path: read(path) for path in makefiles}
    assigned = set()
    for t in text.values():
        assigned.update(MAKE_SET.findall(t))
    for path, t in text.items():
        for name in MAKE_DEFAULT.findall(t):
            add(name, path)
        for name in MAKE_USE.findall(t):
            if name not in assigned:
                add(name, path)
    for name in STANDARD | (target_variables(top) - {'ARCH'}):
        found.pop(name, None)
    return found


def documented(top):
    text = read(os.path.join(top, 'README.md'))
    m = re.search(r'^## Variables\n(.*?)(?=^## |\Z)', text, re.M | re.S)
    return set(TABLE_ROW.findall(m.group(1))) if m else set()


class VariablesDocumented(unittest.TestCase):
    def test_every_variable_read_is_in_the_table(self):
        table = documented(TOP)
        self.assertTrue(table, "README.md has no '## Variables' table")
        missing = {n: sorted(p) for n, p in read_variables(TOP).items() if n not in table}
        self.assertEqual(missing, {}, 'read from the environment but not in README.md ## Variables')

    def test_every_row_is_read(self):
        stale = documented(TOP) - set(read_variables(TOP)) - {'ARCH'}
        self.assertEqual(stale, set(), "in README.md's ## Variables table but read nowhere")

    def test_a_missing_row_is_found(self):
        # The check itself: a copy of the repository's files whose table
        # lacks one row fails it.
        table = documented(TOP)
        name = sorted(set(read_variables(TOP)) & table)[0]
        text = read(os.path.join(TOP, 'README.md'))
        cut = re.sub(r'^\|\s*`%s`\s*\|.*\n' % name, '', text, flags=re.M)
        self.assertNotEqual(cut, text)
        m = re.search(r'^## Variables\n(.*?)(?=^## |\Z)', cut, re.M | re.S)
        self.assertNotIn(name, set(TABLE_ROW.findall(m.group(1))))


if __name__ == '__main__':
    unittest.main()
