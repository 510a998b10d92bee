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
# checkpatch's output depends on the patch, on checkpatch itself and its
# data files, and on whether the commit ids the patch names exist in
# linux/: a patch checked before with all of these the same is not
# checked again (cache outside the clone).
cache=$HOME/.cache/perf-series/checkpatch
mkdir -p "$cache"
tool=$(cd "$LINUX" && cat scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch 2>/dev/null |
	sha256sum | cut -c1-64)
status=0
while read -r p; do
	log=$LOGS/checkpatch/${p%.patch}.log
	mkdir -p "$(dirname "$log")"
	key=$({
		echo "$tool"
		cat "$TOP/patches/$p"
		for id in $(grep -oE '\b[0-9a-f]{12,40}\b' "$TOP/patches/$p" | sort -u); do
			git -C "$LINUX" cat-file -e "$id^{commit}" 2>/dev/null && echo "$id known" || echo "$id unknown"
		done
	} | sha256sum | cut -c1-64)
	if [ -f "$cache/$key" ]; then
		cp "$cache/$key" "$log"
	else
		rc=0
		(cd "$LINUX" && perl scripts/checkpatch.pl --strict --show-types --no-summary \
			--color=never "$TOP/patches/$p") >"$log" 2>&1 || rc=$?
		# 0: clean, 1: findings; anything else (a crash) is not kept.
		[ $rc -gt 1 ] || { cp "$log" "$cache/$key.tmp" && mv "$cache/$key.tmp" "$cache/$key"; }
	fi
	left=()
	while read -r type; do
		if [ -f "$waivers" ] && awk -v p="$(basename "$p" | sed 's/^[0-9]\{4\}-//')" -v t="$type" \
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
