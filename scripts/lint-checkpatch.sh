#!/usr/bin/env bash
# checkpatch.pl --strict on every patch of the series. A patch passes with
# no error, warning or check, except those waived in lint/checkpatch-waivers
# ("PATCH TYPE reason": the patch file name without its number, the type
# as --show-types prints it).
. "$(dirname "$0")/lib.sh"
need_tree
stage=lint-checkpatch
reset_results "$stage"
waivers=$TOP/lint/checkpatch-waivers
mkdir -p "$LOGS/checkpatch"
status=0
while read -r p; do
	log=$LOGS/checkpatch/${p%.patch}.log
	(cd "$LINUX" && perl scripts/checkpatch.pl --strict --show-types --no-summary \
		--color=never "$TOP/patches/$p") >"$log" 2>&1 || true
	left=()
	while read -r type; do
		if [ -f "$waivers" ] && awk -v p="${p#[0-9][0-9][0-9][0-9]-}" -v t="$type" \
			'$1 == p && $2 == t && NF > 2 { f = 1 } END { exit !f }' "$waivers"; then
			continue
		fi
		left+=("$type")
	done < <(sed -n 's/^\(ERROR\|WARNING\|CHECK\):\([A-Z_0-9]*\):.*/\2/p' "$log")
	if [ ${#left[@]} -eq 0 ]; then
		record "$stage" PASS "checkpatch $p"
	else
		record "$stage" FAIL "checkpatch $p" "${#left[@]} finding(s): ${left[*]}; see $(rel "$log")"
		status=1
	fi
done < <("$TOP/scripts/series-list.sh")
exit $status
