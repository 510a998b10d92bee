#!/usr/bin/env bash
# coccicheck (MODE=report) on every directory whose C files the series
# touches, in the patched tree and in the pristine base; fail on reports
# the base does not have (compared without line numbers).
. "$(dirname "$0")/lib.sh"
need_tree
need spatch
stage=lint-cocci
reset_results "$stage"
mkdir -p "$LOGS/cocci"
dirs=$("$TOP/scripts/touched.sh" dirs)
if [ -z "$dirs" ]; then
	record "$stage" PASS "coccicheck: no C file touched"
	exit 0
fi
"$TOP/scripts/base-tree.sh"

# reports SRC LOG: normalized report lines ("file: message").
reports() {
	sed -n -E "s#^($1/)?([^ :]+):[0-9]+(:[0-9]+(-[0-9]+)?)?: (.*)#\\2: \\5#p" "$2" |
		sed -E 's/[0-9]+/N/g' | sort
}

status=0
for d in $dirs; do
	name=$(echo "$d" | tr / _)
	for side in base patched; do
		if [ $side = base ]; then src=$BUILD/src-base; else src=$LINUX; fi
		log=$LOGS/cocci/$side-$name.log
		if [ ! -d "$src/$d" ]; then
			: >"$log"
		else
			# coccicheck runs spatch over the whole directory, J jobs.
			step "coccicheck $d ($side)" "$log" \
				make -C "$src" coccicheck MODE=report M="$src/$d" J="$JOBS" || {
				record "$stage" FAIL "coccicheck $d ($side)" "see $(rel "$log")"
				status=1
				continue 2
			}
		fi
		reports "$src" "$log" >"$LOGS/cocci/$side-$name.reports"
	done
	new=$(comm -13 "$LOGS/cocci/base-$name.reports" "$LOGS/cocci/patched-$name.reports")
	if [ -z "$new" ]; then
		record "$stage" PASS "coccicheck $d: no new reports"
	else
		echo "$new" >"$LOGS/cocci/new-$name.txt"
		record "$stage" FAIL "coccicheck $d: new reports" \
			"$(echo "$new" | head -n 1 | cut -c1-140); all: $(rel "$LOGS/cocci/new-$name.txt")"
		status=1
	fi
done
exit $status
