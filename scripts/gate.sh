#!/usr/bin/env bash
# gate.sh begin|end: the first and last node of make test's stage graph
# (scripts/gate.mk).
#   begin: a new build/logs/times.tsv (this run's stage times), the time
#          the run began, and what every stage needs: the packages of a
#          fresh Debian 12 machine (a second when nothing is missing) and
#          linux/.
#   end:   the summary of the stages this run ran (the rows of times.tsv):
#          their stage times, the failures and one line 'N passed, N
#          failed, N skipped' over their result rows; exits non-zero when
#          any result or stage failed.
# The results of stages this run did not run stay in build/results/ (make
# lint keeps those of make test's guests) but do not count.
. "$(dirname "$0")/lib.sh"
times=$LOGS/times.tsv
gate=$BUILD/gate

# results_of NODE: the result file (build/results/) a node of the graph writes.
results_of() {
	case $1 in
	sync | checkpatch | series | sparse | w1 | cocci) echo "lint-$1" ;;
	build-x86_64) echo lint-bisect ;;
	# A prepare step records its failures as those of its stage.
	prepare-selftests-*) echo "${1#prepare-}" ;;
	*) echo "$1" ;;
	esac
}

case ${1:?usage: gate.sh begin|end} in
begin)
	mkdir -p "$LOGS" "$gate"
	rm -f "$gate"/*.done
	printf 'stage\tseconds\tstatus\n' >"$times"
	date +%s >"$gate/began"
	"$TOP/scripts/deps.sh"
	[ -d "$LINUX/.git" ] || "$TOP/scripts/tree.sh"
	;;
end)
	if [ ! -f "$times" ] || [ ! -f "$gate/began" ]; then die "no stage ran: run 'make test'"; fi
	printf 'total\t%s\t%s\n' $(($(date +%s) - $(cat "$gate/began"))) \
		"$(awk -F'\t' 'NR > 1 && $3 != "ok" { f = 1 } END { print f ? "fail" : "ok" }' "$times")" >>"$times"
	mapfile -t failed_stages < <(awk -F'\t' 'NR > 1 && $1 != "total" && $3 != "ok" { print $1 }' "$times")
	all=$RESULTS/all.tsv
	mkdir -p "$RESULTS"
	# Each file once: a prepare step and its stage share one.
	for f in $(awk -F'\t' 'NR > 1 && $1 != "total" { print $1 }' "$times" | while read -r s; do results_of "$s"; done | sort -u); do
		cat "$RESULTS/$f.tsv" 2>/dev/null || true
	done >"$all"
	# A stage that failed without a FAIL row of its own (its script died
	# before recording one) gets one, so that 'N failed' counts it.
	for s in "${failed_stages[@]}"; do
		f=$(results_of "$s")
		grep -qE '^FAIL' "$RESULTS/$f.tsv" 2>/dev/null ||
			printf 'FAIL\tstage %s\tthe stage failed without a result; see its log in %s/\n' "$s" "$(rel "$LOGS")" >>"$all"
	done
	passed=$(grep -cE '^(PASS|XPASS)' "$all" || true)
	failed=$(grep -cE '^FAIL' "$all" || true)
	skipped=$(grep -cE '^(SKIP|XFAIL)' "$all" || true)
	xfail=$(grep -cE '^XFAIL' "$all" || true)
	echo
	echo "stage times (s): $(awk -F'\t' 'NR > 1 { printf "%s=%s ", $1, $2 }' "$times")"
	echo "results: $(rel "$all"); logs: $(rel "$LOGS")/"
	[ "$xfail" -eq 0 ] || echo "skipped includes $xfail expected failures (selftests/expected-failures/)"
	if [ ${#failed_stages[@]} -gt 0 ]; then
		echo "failed stages: ${failed_stages[*]}"
		grep -E '^FAIL' "$all" | cut -f2,3 | head -n 30 | sed 's/^/  FAIL /; s/\t/: /'
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ ${#failed_stages[@]} -eq 0 ]
	;;
*) die "usage: gate.sh begin|end" ;;
esac
