#!/usr/bin/env bash
# Bisectability: build the x86_64 target at every commit base+1..HEAD, in
# order, incrementally in the target's own object folder, ending at HEAD
# (so the build that the tests use is the last step). linux/ must be clean;
# it is left at the branch it was on, whatever happens.
. "$(dirname "$0")/lib.sh"
need_tree
stage=lint-bisect
target=${BISECT_TARGET:-x86_64}
reset_results "$stage"
[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] || {
	record "$stage" FAIL "per-commit builds" "linux/ has uncommitted changes"
	exit 1
}
branch=$(git -C "$LINUX" symbolic-ref -q --short HEAD || git -C "$LINUX" rev-parse HEAD)
restore() { git -C "$LINUX" checkout -q "$branch"; }
trap restore EXIT
status=0
i=0
commits=$(git -C "$LINUX" rev-list --reverse base..HEAD)
total=$(echo "$commits" | sed '/^$/d' | wc -l)
for c in $commits; do
	i=$((i + 1))
	subject=$(git -C "$LINUX" log -1 --format=%s "$c")
	git -C "$LINUX" checkout -q --detach "$c"
	# The last commit's build is the real one, checked against the target's
	# fragments; earlier commits may lack options that later patches add.
	verify=0
	[ "$i" -eq "$total" ] && verify=1
	if step "build $target at patch $i/$total" "$LOGS/bisect/$i.log" \
		env VERIFY_CONFIG=$verify "$TOP/scripts/build-kernel.sh" "$target"; then
		record "$stage" PASS "builds at patch $i: $subject"
	else
		record "$stage" FAIL "builds at patch $i: $subject" "see $(rel "$LOGS/bisect/$i.log")"
		status=1
	fi
done
exit $status
