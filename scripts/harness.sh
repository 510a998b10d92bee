#!/usr/bin/env bash
# The harness stage of make test: the harness's own unit tests
# (scripts/tests/: the result parsers on recorded outputs, the variables
# table, the Cell SPU decoder of linux/ with the host's perf script), one
# result line per test in build/results/harness.tsv; seconds.
. "$(dirname "$0")/lib.sh"
reset_results harness
step "unit tests of the harness (scripts/tests/)" "$LOGS/harness.log" \
	python3 "$TOP/scripts/tests/run.py" "$RESULTS/harness.tsv"
