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
#
# Reports are cached per rule and file under COCCI_CACHE (outside the
# clone), keyed on what spatch reads, the rule, its options and spatch's
# version: the file's content, and for rules without --no-includes also
# the trees of include/, arch/x86/include/ and the file's folder (the
# headers it may include). The base never changes, and a file that was
# checked once is not checked again until it or its headers change.
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

cache=${COCCI_CACHE:-$HOME/.cache/perf-series/cocci}
spatch_version=$(spatch --version 2>&1 | head -n 1)

# run_rules SRC FILE...: every rule over the files that exist in SRC.
run_rules() {
	local src=$1 r opts f key out tree rkey
	shift
	local present=() todo=()
	for f in "$@"; do [ -f "$src/$f" ] && present+=("$f"); done
	echo "left out (need OCaml): $ocaml_rules"
	[ ${#present[@]} -gt 0 ] || return 0
	cd "$src"
	# The key of each file (fkey) and with its headers (hkey); with
	# uncommitted changes, HEAD's trees do not describe the files: no cache.
	local inc dirty=
	declare -A fkey hkey
	[ -z "$(git status --porcelain --untracked-files=no)" ] || dirty=$(date +%s.%N)
	inc=$(git rev-parse HEAD:include HEAD:arch/x86/include | xargs)
	for f in "${present[@]}"; do
		fkey[$f]=$(printf '%s\n' "$f" "$(git hash-object "$f")" "$dirty" | sha256sum | cut -c1-64)
		hkey[$f]=$(printf '%s\n' "${fkey[$f]}" "$inc" "$(git rev-parse "HEAD:$(dirname "$f")")" |
			sha256sum | cut -c1-64)
	done
	mkdir -p "$cache"
	for r in $rules; do
		opts=$(sed -n 's|^// *Options: *||p' "$r" | head -n 1)
		rkey=$(printf '%s\n' "$spatch_version" "$opts" | cat - "$r" | sha256sum | cut -c1-64)
		echo "== $r"
		todo=()
		for f in "${present[@]}"; do
			tree=${hkey[$f]}
			case " $opts " in *" --no-includes "*) tree=${fkey[$f]} ;; esac
			[ -f "$cache/$rkey-$tree" ] || todo+=("$f")
		done
		if [ ${#todo[@]} -gt 0 ]; then
			out=$(mktemp)
			# shellcheck disable=SC2086
			spatch -D report --no-show-diff --very-quiet --cocci-file "$r" $opts \
				-I include -I include/uapi -I arch/x86/include -I arch/x86/include/uapi \
				--jobs "$JOBS" "${todo[@]}" >"$out" 2>&1 || {
				cat "$out"
				rm -f "$out"
				echo "spatch failed on rule $r"
				return 1
			}
			for f in "${todo[@]}"; do
				tree=${hkey[$f]}
				case " $opts " in *" --no-includes "*) tree=${fkey[$f]} ;; esac
				key=$rkey-$tree
				grep -F -- "$f:" "$out" | grep -E "^(\./)?$(printf '%s' "$f" | sed 's/[.[\*^$]/\\&/g'):" \
					>"$cache/$key.tmp" || true
				mv "$cache/$key.tmp" "$cache/$key"
			done
			rm -f "$out"
		fi
		for f in "${present[@]}"; do
			tree=${hkey[$f]}
			case " $opts " in *" --no-includes "*) tree=${fkey[$f]} ;; esac
			cat "$cache/$rkey-$tree"
		done
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
