#!/usr/bin/env bash
# make check-sync: fail, saying why, unless patches/ is exactly what
# 'make export' would write from linux/ and linux/ has nothing uncommitted.
# --record: the sync stage of make test: one result (build/results/
# lint-sync.tsv), the reasons in build/logs/check-sync.log.
. "$(dirname "$0")/lib.sh"
need_tree
if [ "${1:-}" = --record ]; then
	mkdir -p "$LOGS"
	reset_results lint-sync
	if "$0" >"$LOGS/check-sync.log" 2>&1; then
		record lint-sync PASS "patches/ matches linux/"
	else
		sed 's/^/    /' "$LOGS/check-sync.log" | head -n 20
		record lint-sync FAIL "patches/ matches linux/" "run 'make export' (see $(rel "$LOGS/check-sync.log"))"
		exit 1
	fi
	exit 0
fi

bad=0
if [ -n "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ]; then
	echo "check-sync: linux/ has uncommitted changes:"
	git -C "$LINUX" status --short --untracked-files=no | head -n 20 | sed 's/^/  /'
	bad=1
fi
# Debian's .gitignore hides every new file from 'git status'; list the
# files git does not track (build outputs go to build/, never to linux/).
new=$(git -C "$LINUX" ls-files --others | head -n 20)
if [ -n "$new" ]; then
	echo "check-sync: linux/ has files git does not track (new files need 'git add -f'):"
	echo "$new" | sed 's/^/  /'
	bad=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/export.sh" "$tmp" >/dev/null
msgs=$(mktemp)
trap 'rm -rf "$tmp" "$msgs"' EXIT
# What 'make export' writes: the series files and the patches, at the
# top and in the topics' folders (cover-letter.txt and topics are input).
outputs() { (cd "$1" && find . -maxdepth 2 \( -name series -o -name '[0-9][0-9][0-9][0-9]-*.patch' \) | sed 's|^\./||'); }
names=$(outputs "$TOP/patches"; outputs "$tmp")
for b in $(echo "$names" | sort -u); do
	if [ ! -e "$tmp/$b" ]; then
		echo "check-sync: patches/$b is not a commit in linux/ (dropped there, or not applied: 'make tree')"
	elif [ ! -e "$TOP/patches/$b" ]; then
		echo "check-sync: linux/ has a commit not exported: patches/$b is missing ('make export')"
	elif ! cmp -s "$tmp/$b" "$TOP/patches/$b"; then
		echo "check-sync: patches/$b differs from the commit in linux/ ('make export', or 'make tree' to take patches/):"
		diff -u "$TOP/patches/$b" "$tmp/$b" | head -n 12 | sed 's/^/  /'
	fi
done >>"$msgs"
[ -s "$msgs" ] && bad=1
cat "$msgs"
exit $bad
