#!/usr/bin/env bash
# Keep build/src-fixes for make bench: linux/'s HEAD with the ring-buffer
# topic's fast path (its commit "perf/ring_buffer: Copy fixed-size fields
# inline within a page") reverted in the work tree, so that a third
# kernel measures what the series' other changes cost on the sample path
# without that commit's gain hiding it (its code only: see below). Left as it is when it already
# holds HEAD with that revert, so that the build stays incremental.
. "$(dirname "$0")/lib.sh"
need_tree
mkdir -p "$LOGS"
subject='perf/ring_buffer: Copy fixed-size fields inline within a page'
# Its KUnit case stays: later commits add cases next to it, so that part
# of the commit no longer reverts, and no bench kernel builds the suite.
kunit=kernel/events/ring_buffer_test.c
wt=$BUILD/src-fixes
log=$LOGS/bench-fixes-tree.log
commit=$(git -C "$LINUX" log --format=%H --fixed-strings --grep="$subject" base..HEAD)
if [ -z "$commit" ] || [ "$(printf '%s\n' "$commit" | wc -l)" != 1 ]; then
	die "no single commit '$subject' in linux/ (base..HEAD)"
fi
stamp="$(git -C "$LINUX" rev-parse HEAD) revert $commit"
exec 9>"$BUILD/src-fixes.lock"
flock 9
if [ -f "$wt/.bench-fixes" ] && [ "$(cat "$wt/.bench-fixes")" = "$stamp" ] &&
	[ "$(git -C "$wt" rev-parse HEAD 2>/dev/null)" = "$(git -C "$LINUX" rev-parse HEAD)" ]; then
	exit 0
fi
if [ "$(git -C "$wt" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" != "$(git -C "$LINUX" rev-parse --path-format=absolute --git-common-dir)" ]; then
	rm -rf "$wt"
	# One lock for prune and add with the other scripts that make
	# worktrees of linux/ (base-tree.sh, lint-series.sh, lint-bisect.sh).
	(
		flock 8
		git -C "$LINUX" worktree prune
		git -C "$LINUX" worktree add -f --detach "$wt" HEAD
	) 8>"$LINUX/.git/perf-series-worktrees.lock" >"$log" 2>&1 ||
		die "cannot check out HEAD into $(rel "$wt"): see $(rel "$log")"
fi
rm -f "$wt/.bench-fixes"
{
	git -C "$wt" checkout -q -f --detach "$(git -C "$LINUX" rev-parse HEAD)" &&
		git -C "$LINUX" diff "$commit^" "$commit" -- . ":(exclude)$kunit" | git -C "$wt" apply -R
} >>"$log" 2>&1 || die "cannot revert $subject in $(rel "$wt"): see $(rel "$log")"
echo "$stamp" >"$wt/.bench-fixes"
