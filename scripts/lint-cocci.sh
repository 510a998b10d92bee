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
#
# The base's reports also come with the repository (lint/baseline/cocci,
# written by 'make lint-baseline'), per file and keyed the same way, so
# that a machine with an empty cache checks only the patched side (the
# base side takes about 9 minutes on 2 cores). An entry whose key does not
# match (another spatch, another rule set, a file the baseline lacks) is
# not used: that file's base reports are computed as before.
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
# spatch (OCaml native code) runs on the process stack; with several files
# at once, deref_null.cocci overflows Debian's default 8 MiB on the
# series' files (an exception in a worker, then no reports at all). Give it
# what the hard limit allows.
ulimit -s unlimited 2>/dev/null || ulimit -s "$(ulimit -H -s)"
rules=$(cd "$LINUX" && find scripts/coccinelle -name '*.cocci' | sort | xargs grep -L 'script:ocaml')
ocaml_rules=$(cd "$LINUX" && find scripts/coccinelle -name '*.cocci' | sort | xargs grep -l 'script:ocaml' | xargs)

cache=${COCCI_CACHE:-$HOME/.cache/perf-series/cocci}
baseline=$TOP/lint/baseline/cocci
spatch_version=$(spatch --version 2>&1 | head -n 1)
# The key of each rule: its text, its options and spatch's version.
# Rules with --no-includes read only the file (noinc).
declare -A rkeys noinc
for r in $rules; do
	opts=$(sed -n 's|^// *Options: *||p' "$LINUX/$r" | head -n 1)
	rkeys[$r]=$(printf '%s\n' "$spatch_version" "$opts" | cat - "$LINUX/$r" | sha256sum | cut -c1-64)
	case " $opts " in *" --no-includes "*) noinc[$r]=1 ;; esac
done
# The key of a file's entry in the baseline: the file with its headers,
# and every rule.
all_rules_key=$(for r in $rules; do echo "$r ${rkeys[$r]}"; done | sha256sum | cut -c1-64)
# Per file (set by file_keys): its content (fkey), with its headers (hkey).
declare -A fkey hkey

# entry_key FILE: the key of FILE's entry in the baseline (run_rules'
# fkey and hkey must be set).
entry_key() {
	printf '%s\n' "$all_rules_key" "${hkey[$1]}" | sha256sum | cut -c1-64
}

# cache_name RULE FILE: the cache entry of RULE's reports on FILE, in
# $name (no subshell: it runs for every rule and file).
cache_name() {
	if [ -n "${noinc[$1]:-}" ]; then
		name=$cache/${rkeys[$1]}-${fkey[$2]}
	else
		name=$cache/${rkeys[$1]}-${hkey[$2]}
	fi
}

# seed_cache FILE...: the cache entries of every rule on each FILE that
# the baseline has an entry for (under the same key).
seed_cache() {
	local f r name head map
	map=$(mktemp)
	for f in "$@"; do
		head="@ $(entry_key "$f") $f"
		grep -qxF "$head" "$baseline" || continue
		: >"$map"
		for r in $rules; do
			cache_name "$r" "$f"
			[ -f "$name" ] && continue
			printf '%s\t%s\n' "$r" "$name" >>"$map"
			: >"$name.tmp"
		done
		awk -F'\t' -v k="$head" 'FNR == NR { name[$1] = $2; next }
			$0 == k { on = 1; next }
			/^@ / { on = 0 }
			on && ($1 in name) {
				line = $0
				sub(/^[^\t]*\t/, "", line)
				print line >>(name[$1] ".tmp")
				close(name[$1] ".tmp")
			}' "$map" "$baseline"
		while IFS=$'\t' read -r r name; do mv "$name.tmp" "$name"; done <"$map"
		echo "base reports of $f from $(rel "$baseline")"
	done
	rm -f "$map"
}

# write_baseline FILE...: the base's cached reports of each FILE, as
# baseline entries (after run_rules on the base).
write_baseline() {
	local f r name
	{
		echo "# coccicheck reports of the pristine base on the files the series"
		echo "# touches, per file: '@ KEY FILE', then 'RULE<TAB>REPORT' lines."
		echo "# Written by 'make lint-baseline' with $spatch_version"
		for f in "$@"; do
			[ -f "$f" ] || continue
			echo "@ $(entry_key "$f") $f"
			for r in $rules; do
				cache_name "$r" "$f"
				sed "s|^|$r\t|" "$name"
			done
		done
	} >"$baseline.tmp"
	mv "$baseline.tmp" "$baseline"
}

# file_keys FILE...: fkey and hkey of each FILE in the current folder.
file_keys() {
	local inc dirty= f
	[ -z "$(git status --porcelain --untracked-files=no)" ] || dirty=$(date +%s.%N)
	inc=$(git rev-parse HEAD:include HEAD:arch/x86/include | xargs)
	for f in "$@"; do
		[ -f "$f" ] || continue
		fkey[$f]=$(printf '%s\n' "$f" "$(git hash-object "$f")" "$dirty" | sha256sum | cut -c1-64)
		hkey[$f]=$(printf '%s\n' "${fkey[$f]}" "$inc" "$(git rev-parse "HEAD:$(dirname "$f")")" |
			sha256sum | cut -c1-64)
	done
}

# run_rules SRC FILE...: every rule over the files that exist in SRC.
run_rules() {
	local src=$1 r opts f out rkey name ast
	shift
	local present=() todo=()
	for f in "$@"; do [ -f "$src/$f" ] && present+=("$f"); done
	echo "left out (need OCaml): $ocaml_rules"
	[ ${#present[@]} -gt 0 ] || return 0
	cd "$src"
	# The key of each file (fkey) and with its headers (hkey); with
	# uncommitted changes, HEAD's trees do not describe the files: no cache.
	file_keys "${present[@]}"
	# spatch parses each file once for all rules (--cache-prefix keeps the
	# parsed files; parsing is a third to a half of a rule's time), in a
	# folder of this run and side: the two sides have the same file names.
	ast=$BUILD/cocci-ast/$(basename "$src")
	rm -rf "$ast"
	mkdir -p "$ast"
	mkdir -p "$cache"
	# The base side: what the baseline has for a file fills the cache.
	if [ "$src" = "$BUILD/src-base" ] && [ -f "$baseline" ]; then
		seed_cache "${present[@]}"
	fi
	for r in $rules; do
		opts=$(sed -n 's|^// *Options: *||p' "$r" | head -n 1)
		rkey=${rkeys[$r]}
		echo "== $r"
		todo=()
		for f in "${present[@]}"; do
			cache_name "$r" "$f"
			[ -f "$name" ] || todo+=("$f")
		done
		if [ ${#todo[@]} -gt 0 ]; then
			out=$(mktemp)
			# deref_null.cocci takes the files of one run together: with
			# the series' 30 files it ran past the 200 s timeout of the
			# kernel's .cocciconfig on a loaded host (8 s one at a time
			# for the largest, kernel/events/core.c). It gets one run a
			# file; its reports are per file either way.
			local batches=("${todo[*]}")
			case $r in */null/deref_null.cocci) batches=("${todo[@]}") ;; esac
			local batch
			for batch in "${batches[@]}"; do
				# shellcheck disable=SC2086
				spatch -D report --no-show-diff --very-quiet --cocci-file "$r" $opts \
					-I include -I include/uapi -I arch/x86/include -I arch/x86/include/uapi \
					--cache-prefix "$ast" --jobs "$JOBS" $batch >>"$out" 2>&1 || {
					cat "$out"
					rm -f "$out"
					echo "spatch failed on rule $r"
					return 1
				}
			done
			for f in "${todo[@]}"; do
				cache_name "$r" "$f"
				grep -F -- "$f:" "$out" | grep -E "^(\./)?$(printf '%s' "$f" | sed 's/[.[\*^$]/\\&/g'):" \
					>"$name.tmp" || true
				mv "$name.tmp" "$name"
			done
			rm -f "$out"
		fi
		for f in "${present[@]}"; do
			cache_name "$r" "$f"
			cat "$name"
		done
	done
	rm -rf "$ast"
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
	# make lint-baseline: the base side's cache entries become the baseline.
	if [ $side = base ] && [ "${COCCI_WRITE_BASELINE:-0}" = 1 ]; then
		mkdir -p "$(dirname "$baseline")"
		(cd "$src" && file_keys "$@" && write_baseline "$@")
		echo "wrote $(rel "$baseline")"
		exit 0
	fi
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
