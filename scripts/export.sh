#!/usr/bin/env bash
# make export: write the commits base..HEAD of linux/ as the topic series.
#
#   export.sh [DIR]     (default: patches/)
#
# patches/topics names the topics in the order their commits follow each
# other in linux/, with each topic's number of patches and the topics it
# applies on top of. Each topic gets its folder DIR/TOPIC/: its patches
# numbered from 1 with a cover letter (0000-cover-letter.patch, subject
# and text from patches/TOPIC/cover-letter.txt) and a 'series' file; the
# cover letter ends with the base commit and the patch ids of the topics
# it needs, as 'git format-patch --base' writes them for b4 and git am
# users. DIR/series lists every patch in the order 'make tree' applies
# them (quilt reads it as it is).
#
# Output is stable: no real commit hashes, no signature, fixed
# abbreviations, and each cover letter dated like its newest patch, so
# exporting an unchanged tree changes nothing.
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$TOP/configs/base"
need_tree

dest=${1:-$TOP/patches}
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The topics, checked against linux/'s commits.
mapfile -t topics < <("$TOP/scripts/topics.sh" names)
mapfile -t commits < <(git -C "$LINUX" rev-list --reverse base..HEAD)
total=0
for t in "${topics[@]}"; do
	total=$((total + $("$TOP/scripts/topics.sh" count "$t")))
done
[ "$total" -eq ${#commits[@]} ] ||
	die "patches/topics counts $total patches, linux/ has ${#commits[@]} commits after base: add the new patch to its topic's count"

# The diff options pinned to git's defaults, so that a user's own
# (diff.algorithm=histogram, say) do not change the patches.
gitfp() {
	git -C "$LINUX" -c core.abbrev=12 -c diff.renames=true -c diff.noprefix=false \
		-c diff.mnemonicPrefix=false -c format.signature= -c diff.algorithm=myers \
		-c diff.indentHeuristic=true -c diff.context=3 -c diff.interHunkContext=0 "$@"
}

declare -A first last
i=0
for t in "${topics[@]}"; do
	n=$("$TOP/scripts/topics.sh" count "$t")
	first[$t]=$i
	last[$t]=$((i + n - 1))
	i=$((i + n))
	[ "$n" -gt 0 ] || continue
	out=$tmp/$t
	cover_src=$TOP/patches/$t/cover-letter.txt
	[ -f "$cover_src" ] || die "$(rel "$cover_src") is missing (first line: subject; then the text)"
	gitfp format-patch -q --zero-commit --no-signature --numbered --cover-letter \
		--base=base --subject-prefix=PATCH -o "$out" \
		"${commits[${first[$t]}]}~1..${commits[${last[$t]}]}" >/dev/null
	# The prerequisite patches: those of the topics it applies on top
	# of, not every commit before it in linux/, by the stable patch id of
	# their exported files, which b4 looks them up by (git 2.39's
	# format-patch --base computes some ids without the indent heuristic,
	# so that they match no patch file: its own lines are replaced).
	: >"$tmp/need"
	deps=$("$TOP/scripts/topics.sh" deps "$t")
	for d in $deps; do
		[ -f "$tmp/$d/series" ] || die "patches/topics: $t needs $d, which does not come before it"
		sed -e '/^#/d' "$tmp/$d/series" | while read -r f; do
			git -C "$LINUX" patch-id --stable <"$tmp/$d/$f" | cut -d' ' -f1
		done >>"$tmp/need"
	done
	cover=$out/0000-cover-letter.patch
	subject=$(head -n 1 "$cover_src")
	blurb=$tmp/blurb
	{
		tail -n +2 "$cover_src" | sed '1{/^$/d}'
		echo
		echo "Base: Debian $DEBIAN_SRC_PKG $BASE_PKG_VERSION, tree $BASE_TREE"
		echo "(commit 'base' of 'make tree'; see configs/base)."
		if [ -n "$deps" ]; then
			echo "Applies on top of the series: $deps (in this order)."
		fi
	} >"$blurb"
	date=$(git -C "$LINUX" log -1 --format=%aD "${commits[${last[$t]}]}")
	awk -v subject="$subject" -v blurb="$blurb" -v date="$date" -v need="$tmp/need" '
		/^Date: / && !d { print "Date: " date; d = 1; next }
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
		/^\*\*\* BLURB HERE \*\*\*$/ { while ((getline l < blurb) > 0) print l; next }
		/^prerequisite-patch-id: / { next }
		/^base-commit: / { print; while ((getline l < need) > 0) print "prerequisite-patch-id: " l; next }
		{ print }' "$cover" >"$cover.new"
	mv "$cover.new" "$cover"
	[ "$(grep -c '^prerequisite-patch-id: ' "$cover" || true)" -eq "$(wc -l <"$tmp/need")" ] ||
		die "$t: the cover letter does not list every patch of $deps"
	{
		echo "# $t: apply with 'git am' in this order, on top of: ${deps:-the base}."
		(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-cover-letter.patch$')
	} >"$out/series"
done

{
	echo "# Patch series against Debian $DEBIAN_SRC_PKG $BASE_PKG_VERSION (tree $BASE_TREE)."
	echo "# Written by 'make export' from patches/topics; 'make tree' applies them"
	echo "# in this order (as does 'quilt push -a'). Each topic's folder has its"
	echo "# cover letter (0000-cover-letter.patch) and its own series file."
	for t in "${topics[@]}"; do
		[ -f "$tmp/$t/series" ] || continue
		sed -e '/^#/d' -e "s|^|$t/|" "$tmp/$t/series"
	done
} >"$tmp/series"

# Replace the old series in DEST with the new one (a topic's
# cover-letter.txt stays: it is the input).
find "$dest" -maxdepth 2 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
find "$dest" -mindepth 2 -maxdepth 2 -name series -delete
cp "$tmp/series" "$dest/series"
for t in "${topics[@]}"; do
	[ -d "$tmp/$t" ] || continue
	mkdir -p "$dest/$t"
	cp "$tmp/$t"/* "$dest/$t/"
done
if [ "$dest" = "$TOP/patches" ]; then
	git -C "$LINUX" rev-parse HEAD >"$LINUX/.git/perf-series-synced"
	echo "  exported ${#commits[@]} patches in ${#topics[@]} topics to patches/"
fi
