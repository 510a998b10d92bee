#!/usr/bin/env bash
# make test: the gate. Runs every stage, records each stage's time in
# build/logs/times.tsv, and ends with one line 'N passed, N failed,
# N skipped' over KUnit cases, selftest cases and lint checks. Exits
# non-zero when anything failed. STAGES="..." runs a subset (names below).
. "$(dirname "$0")/lib.sh"

all_stages="sync checkpatch build-x86_64 kunit-x86_64 selftests-x86_64 build-x86_64-debug kunit-x86_64-debug selftests-x86_64-debug build-arm64 kunit-arm64 build-powerpc64 build-i386 build-cell sparse w1 cocci"
stages=${STAGES:-$all_stages}
mkdir -p "$LOGS"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
times=$LOGS/times.tsv
printf 'stage\tseconds\tstatus\n' >"$times"
t_all=$SECONDS
failed_stages=()

[ -d "$LINUX/.git" ] || "$TOP/scripts/tree.sh"

run_stage() {
	local name=$1 t0=$SECONDS rc=0
	shift
	echo "== $name"
	"$@" || rc=$?
	printf '%s\t%s\t%s\n' "$name" $((SECONDS - t0)) "$([ $rc -eq 0 ] && echo ok || echo fail)" >>"$times"
	[ $rc -eq 0 ] || failed_stages+=("$name")
}

# build-only stages record one result: did the target build at HEAD.
build_stage() {
	local target=$1
	reset_results "build-$target"
	if step "build $target kernel" "$LOGS/build-$target.log" "$TOP/scripts/build-kernel.sh" "$target"; then
		record "build-$target" PASS "$target kernel builds"
	else
		record "build-$target" FAIL "$target kernel builds" "see $(rel "$LOGS/build-$target.log")"
		return 1
	fi
}

sync_stage() {
	reset_results lint-sync
	if "$TOP/scripts/check-sync.sh" >"$LOGS/check-sync.log" 2>&1; then
		record lint-sync PASS "patches/ matches linux/"
	else
		sed 's/^/    /' "$LOGS/check-sync.log" | head -n 20
		record lint-sync FAIL "patches/ matches linux/" "run 'make export' (see $(rel "$LOGS/check-sync.log"))"
		return 1
	fi
}

for s in $stages; do
	case $s in
	sync) run_stage sync sync_stage ;;
	checkpatch) run_stage checkpatch "$TOP/scripts/lint-checkpatch.sh" ;;
	# Every commit is built in order, ending at HEAD: the tests use that.
	build-x86_64) run_stage build-x86_64 "$TOP/scripts/lint-bisect.sh" ;;
	kunit-*) run_stage "$s" env NO_BUILD=1 KUNIT_TARGETS="${s#kunit-}" "$TOP/scripts/kunit.sh" ;;
	selftests-*) run_stage "$s" env NO_BUILD=1 SELFTEST_TARGETS="${s#selftests-}" "$TOP/scripts/selftests.sh" ;;
	build-*) run_stage "$s" build_stage "${s#build-}" ;;
	sparse) run_stage sparse "$TOP/scripts/lint-findings.sh" sparse ;;
	w1) run_stage w1 "$TOP/scripts/lint-findings.sh" w1 ;;
	cocci) run_stage cocci "$TOP/scripts/lint-cocci.sh" ;;
	*) die "unknown stage '$s' (stages: $all_stages)" ;;
	esac
done
printf 'total\t%s\t%s\n' $((SECONDS - t_all)) "$([ ${#failed_stages[@]} -eq 0 ] && echo ok || echo fail)" >>"$times"

cat "$RESULTS"/*.tsv >"$RESULTS/all.tsv" 2>/dev/null || : >"$RESULTS/all.tsv"
passed=$(grep -cE '^(PASS|XPASS)' "$RESULTS/all.tsv" || true)
failed=$(grep -cE '^FAIL' "$RESULTS/all.tsv" || true)
skipped=$(grep -cE '^(SKIP|XFAIL)' "$RESULTS/all.tsv" || true)
xfail=$(grep -cE '^XFAIL' "$RESULTS/all.tsv" || true)
echo
echo "stage times (s): $(awk -F'\t' 'NR > 1 { printf "%s=%s ", $1, $2 }' "$times")"
echo "results: $(rel "$RESULTS/all.tsv"); logs: $(rel "$LOGS")/"
[ "$xfail" -eq 0 ] || echo "skipped includes $xfail expected failures (selftests/expected-failures/)"
if [ ${#failed_stages[@]} -gt 0 ]; then
	echo "failed stages: ${failed_stages[*]}"
	grep -E '^FAIL' "$RESULTS/all.tsv" | cut -f2,3 | head -n 30 | sed 's/^/  FAIL /; s/\t/: /'
	[ "$failed" -gt 0 ] || failed=${#failed_stages[@]}
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failed_stages[@]} -eq 0 ]
