#!/usr/bin/env bash
# make export: write the commits base..HEAD of linux/ as the series.
#
#   export.sh [DIR]     (default: patches/)
#
# Output is stable: no real commit hashes, no signature, fixed
# abbreviations, and the cover letter dated like the newest patch, so
# exporting an unchanged tree changes nothing. The cover letter's subject
# and text come from patches/cover-letter.txt.
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$TOP/configs/base"
need_tree

dest=${1:-$TOP/patches}
cover_src=$TOP/patches/cover-letter.txt
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=$(git -C "$LINUX" rev-list --count base..HEAD)
if [ "$n" -gt 0 ]; then
	git -C "$LINUX" -c core.abbrev=12 -c diff.renames=true -c diff.noprefix=false \
		-c diff.mnemonicPrefix=false -c format.signature= \
		format-patch -q --zero-commit --no-signature --numbered --cover-letter \
		--base=base --subject-prefix=PATCH -o "$tmp" base..HEAD >/dev/null
	cover=$(echo "$tmp"/0000-cover-letter.patch)
	[ -f "$cover_src" ] || die "$(rel "$cover_src") is missing (first line: subject; then the text)"
	subject=$(head -n 1 "$cover_src")
	blurb=$tmp/blurb
	{
		tail -n +2 "$cover_src" | sed '1{/^$/d}'
		echo
		echo "Base: Debian $DEBIAN_SRC_PKG $BASE_PKG_VERSION, tree $BASE_TREE"
		echo "(commit 'base' from 'make tree'; see configs/base)."
	} >"$blurb"
	date=$(git -C "$LINUX" log -1 --format=%aD HEAD)
	awk -v subject="$subject" -v blurb="$blurb" -v date="$date" '
		/^Date: / && !d { print "Date: " date; d = 1; next }
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
		/^\*\*\* BLURB HERE \*\*\*$/ { while ((getline l < blurb) > 0) print l; next }
		{ print }' "$cover" >"$cover.new"
	mv "$cover.new" "$cover"
fi

{
	echo "# Patch series against Debian $DEBIAN_SRC_PKG $BASE_PKG_VERSION (tree $BASE_TREE)."
	echo "# Written by 'make export'; apply with 'make tree'. Cover letter: 0000-cover-letter.patch"
	for f in "$tmp"/[0-9][0-9][0-9][0-9]-*.patch; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		[ "$b" = 0000-cover-letter.patch ] || echo "$b"
	done
} >"$tmp/series"

# Replace the old series in DEST with the new one.
find "$dest" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
for f in "$tmp"/[0-9][0-9][0-9][0-9]-*.patch "$tmp/series"; do
	[ -e "$f" ] && cp "$f" "$dest/"
done
if [ "$dest" = "$TOP/patches" ]; then
	git -C "$LINUX" rev-parse HEAD >"$LINUX/.git/perf-series-synced"
	echo "  exported $n patches to patches/"
fi
