#!/usr/bin/env bash
# coccicheck's rules (scripts/coccinelle, MODE=report) on the C files the
# series touches, in the patched tree and in the pristine base; fail on
# reports the base does not have (compared without line numbers).
#
# Each rule runs spatch directly with the options its '// Options:' line
# gives, as scripts/coccicheck does, but over the touched files only: a
# whole-directory coccicheck takes minutes per directory on 2 cores. Rules
# with OCaml scripts need an OCaml compiler that Debian's spatch lacks;
# they are left out and named in the log.
. "$(dirname "$0")/lib.sh"
need_tree
need spatch
stage=lint-cocci
reset_results "$stage"
mkdir -p "$LOGS/cocci"
files=$("$TOP/scripts/touched.sh" c)
if [ -z "$files" ]; then
	record "$stage" PASS "coccicheck: no C file touched"
	exit 0
fi
"$TOP/scripts/base-tree.sh"
rules=$(cd "$LINUX" && find scripts/coccinelle -name '*.cocci' | sort | xargs grep -L 'script:ocaml')
ocaml_rules=$(cd "$LINUX" && find scripts/coccinelle -name '*.cocci' | sort | xargs grep -l 'script:ocaml' | xargs)

# run_rules SRC FILE...: every rule over the files that exist in SRC.
run_rules() {
	local src=$1 r opts f
	shift
	local present=()
	for f in "$@"; do [ -f "$src/$f" ] && present+=("$f"); done
	echo "left out (need OCaml): $ocaml_rules"
	[ ${#present[@]} -gt 0 ] || return 0
	cd "$src"
	for r in $rules; do
		opts=$(sed -n 's|^// *Options: *||p' "$r" | head -n 1)
		echo "== $r"
		# shellcheck disable=SC2086
		spatch -D report --no-show-diff --very-quiet --cocci-file "$r" $opts \
			-I include -I include/uapi -I arch/x86/include -I arch/x86/include/uapi \
			--jobs "$JOBS" "${present[@]}" || { echo "spatch failed on rule $r"; return 1; }
	done
}

# reports LOG: normalized report lines ("file: message").
reports() {
	sed -n -E 's#^([^ :]+\.[ch]):[0-9]+(:[0-9]+(-[0-9]+)?)?: (.*)#\1: \4#p' "$1" |
		sed -E 's/[0-9]+/N/g' | sort
}

# shellcheck disable=SC2086
set -- $files
status=0
for side in base patched; do
	if [ $side = base ]; then src=$BUILD/src-base; else src=$LINUX; fi
	log=$LOGS/cocci/$side.log
	step "coccicheck rules on $# touched files ($side)" "$log" run_rules "$src" "$@" || {
		record "$stage" FAIL "coccicheck ($side)" "see $(rel "$log")"
		exit 1
	}
	reports "$log" >"$LOGS/cocci/$side.reports"
done
new=$(comm -13 "$LOGS/cocci/base.reports" "$LOGS/cocci/patched.reports")
if [ -z "$new" ]; then
	record "$stage" PASS "coccicheck: no new reports ($# files)"
else
	echo "$new" >"$LOGS/cocci/new.txt"
	record "$stage" FAIL "coccicheck: new reports" \
		"$(echo "$new" | head -n 1 | cut -c1-140); all: $(rel "$LOGS/cocci/new.txt")"
	status=1
fi
exit $status
