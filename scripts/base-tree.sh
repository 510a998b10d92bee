#!/usr/bin/env bash
# Keep build/src-base, a git worktree of linux/ checked out at 'base': the
# pristine tree that lint and bench compare the series against.
. "$(dirname "$0")/lib.sh"
need_tree
mkdir -p "$LOGS"
wt=$BUILD/src-base
# Stages that 'make -jN test' may run at once (sparse, w1, cocci) may ask for it
# at the same time: one would delete the worktree the other reads.
exec 9>"$BUILD/src-base.lock"
flock 9
if [ -f "$wt/Makefile" ] && [ "$(git -C "$wt" rev-parse HEAD 2>/dev/null)" = "$(git -C "$LINUX" rev-parse base)" ] &&
	[ -z "$(git -C "$wt" status --porcelain --untracked-files=no)" ]; then
	exit 0
fi
rm -rf "$wt"
# One lock for prune and add with the other stages that make worktrees
# of linux/ (lint-series.sh, lint-bisect.sh): see lint-series.sh.
(
	flock 8
	git -C "$LINUX" worktree prune
	git -C "$LINUX" worktree add -f --detach "$wt" base
) 8>"$LINUX/.git/perf-series-worktrees.lock" >"$LOGS/base-tree.log" 2>&1 ||
	die "cannot check out base into $(rel "$wt"): see $(rel "$LOGS/base-tree.log")"
