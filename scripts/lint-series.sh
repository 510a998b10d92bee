#!/usr/bin/env bash
# The topic series apply as their users would apply them (one result each):
# - each topic of patches/topics with 'git am', on the base with the
#   topics it names applied first ('git am' of their series files), in a
#   worktree of linux/ of its own (build/series-check);
# - the whole set with 'quilt push -a' from patches/series on a plain
#   copy of the base, whose result must be linux/'s HEAD tree exactly.
# A set of patch files checked before (same files, same base) is not
# checked again: the result is kept outside the clone.
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$TOP/configs/base"
need_tree
need quilt
stage=lint-series
reset_results "$stage"
mkdir -p "$LOGS"
log=$LOGS/lint-series.log
: >"$log"
mapfile -t topics < <("$TOP/scripts/topics.sh" names)
head_tree=$(git -C "$LINUX" rev-parse 'HEAD^{tree}')
key=$({
	echo "$BASE_TREE $head_tree"
	cat "$0" "$TOP/patches/topics" "$TOP/patches/series"
	find "$TOP/patches" -name '*.patch' | LC_ALL=C sort | xargs cat
} | sha256sum | cut -c1-64)
cache=$RESULT_CACHE/series/$key
if [ -f "$cache" ]; then
	echo "  topic series: these patch files applied before (cached result)"
	cat "$cache" >>"$RESULTS/$stage.tsv"
	exit 0
fi

wt=$BUILD/series-check
rm -rf "$wt"
# Stages that make worktrees of linux/ (base-tree.sh, lint-bisect.sh) run
# at the same time: a prune between another's 'worktree add' and its
# lock file would remove the new worktree. One lock for prune and add.
wtlock=$LINUX/.git/perf-series-worktrees.lock
(
	flock 8
	git -C "$LINUX" worktree prune
	git -C "$LINUX" worktree add -f --detach "$wt" base
) 8>"$wtlock" >>"$log" 2>&1 || die "cannot check out base into $(rel "$wt"): see $(rel "$log")"
trap 'rm -rf "$wt"; (flock 8; git -C "$LINUX" worktree prune) 8>"$wtlock"' EXIT
g() { git -C "$wt" -c user.name="$SERIES_NAME" -c user.email="$SERIES_EMAIL" "$@"; }

# am_topic T: git am of topic T's series file in the worktree.
am_topic() {
	local files=() p
	while read -r p; do
		files+=("$TOP/patches/$1/$p")
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/$1/series")
	[ ${#files[@]} -gt 0 ] || return 0
	g am -q "${files[@]}" >>"$log" 2>&1 || { g am --abort >/dev/null 2>&1; return 1; }
}

status=0
for t in "${topics[@]}"; do
	deps=$("$TOP/scripts/topics.sh" deps "$t")
	g checkout -q -f --detach base >>"$log" 2>&1
	echo "== $t on: base ${deps}" >>"$log"
	ok=1 why=
	for d in $deps; do
		am_topic "$d" || { ok=0 why="its prerequisite $d does not apply"; break; }
	done
	if [ $ok = 1 ] && ! am_topic "$t"; then
		ok=0 why="git am fails on base${deps:+ + $deps}"
	fi
	if [ $ok = 1 ]; then
		record "$stage" PASS "series $t applies with git am on base${deps:+ + $deps}"
	else
		record "$stage" FAIL "series $t applies with git am on base${deps:+ + $deps}" "$why; see $(rel "$log")"
		status=1
	fi
done

# quilt on a plain tree (no .git: quilt knows nothing of git).
g checkout -q -f --detach base >>"$log" 2>&1
rm -rf "$wt/.git"
echo "== quilt push -a" >>"$log"
if (cd "$wt" && QUILT_PATCHES=$TOP/patches QUILT_PC=$wt/.pc quilt --quiltrc=- push -a -q) >>"$log" 2>&1; then
	rm -rf "$wt/.pc"
	# The tree quilt made, as git sees it (Debian's .gitignore hides
	# everything: add by force), against linux/'s HEAD.
	idx=$(mktemp -u)
	tree=$(GIT_INDEX_FILE=$idx GIT_DIR=$LINUX/.git GIT_WORK_TREE=$wt git add -A -f . &&
		GIT_INDEX_FILE=$idx GIT_DIR=$LINUX/.git git write-tree)
	rm -f "$idx"
	if [ "$tree" = "$head_tree" ]; then
		record "$stage" PASS "quilt push -a of patches/series gives linux/'s tree"
	else
		record "$stage" FAIL "quilt push -a of patches/series gives linux/'s tree" "tree $tree, HEAD has $head_tree"
		status=1
	fi
else
	record "$stage" FAIL "quilt push -a of patches/series gives linux/'s tree" "quilt push fails; see $(rel "$log")"
	status=1
fi
if [ $status = 0 ]; then
	mkdir -p "$(dirname "$cache")"
	cp "$RESULTS/$stage.tsv" "$cache"
fi
exit $status
