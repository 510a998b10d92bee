#!/usr/bin/env bash
# lint-findings.sh sparse|w1: compile the C files the series touches with
# sparse (C=2) or with W=1, in the patched tree and in the pristine base,
# each on the architecture that builds it, and fail on findings the base
# does not have. Findings are compared without line numbers, so code that
# only moved does not count as new.
#
# The base's findings come with the repository too (lint/baseline/MODE-
# TARGET.findings, written by 'make lint-baseline'), under the same key as
# the cache: a machine with an empty cache then compiles only the patched
# side. A baseline whose key does not match (another compiler, checker,
# config fragment or file list) is not used.
. "$(dirname "$0")/lib.sh"
need_tree
mode=${1:?usage: lint-findings.sh sparse|w1}
case $mode in
sparse) need sparse; margs=(C=2 CHECK=sparse) ;;
w1) margs=(W=1) ;;
*) die "unknown mode $mode" ;;
esac
stage=lint-$mode
reset_results "$stage"
mkdir -p "$LOGS/$mode"

pairs=$("$TOP/scripts/touched.sh" targets)
touched=$("$TOP/scripts/touched.sh" all)
if [ -z "$pairs" ]; then
	record "$stage" PASS "$mode: no C file touched"
	exit 0
fi
"$TOP/scripts/base-tree.sh"

# The version of the findings' format and of how they are computed: part
# of every cache and baseline key.
findings_format=1

# findings SRC LOG: normalized "file: warning text" lines of a build log.
findings() {
	sed -n -E "s#^($1/)?([^ :]+):[0-9]+(:[0-9]+)?: (warning|error): (.*)#\2: \4: \5#p" "$2" |
		sed -E 's/ \[-W[^]]*\]$//; s/[0-9]+/N/g' | sort
}

# write_baseline: with LINT_WRITE_BASELINE=1 ('make lint-baseline'), the
# base findings of $target become its baseline.
write_baseline() {
	[ "${LINT_WRITE_BASELINE:-0}" = 1 ] || return 0
	mkdir -p "$(dirname "$baseline")"
	{
		echo "# key $base_key"
		cat "$base_cache"
	} >"$baseline"
	echo "  $mode: wrote $(rel "$baseline")"
}

status=0
for target in $(echo "$pairs" | cut -d' ' -f1 | sort -u); do
	if [ "$target" = unsupported ]; then
		record "$stage" FAIL "$mode: files on an architecture without a build target" \
			"$(echo "$pairs" | awk '$1 == "unsupported" { print $2 }' | xargs)"
		status=1
		continue
	fi
	objs=$(echo "$pairs" | awk -v t="$target" '$1 == t { sub(/\.c$/, ".o", $2); print $2 }')
	# The base never changes: its findings on the same files, with the
	# same config fragments, compilers and checker, are kept (outside the
	# clone) and not computed again. The key names the base by its tree
	# (the same on every machine) and the way findings are computed by
	# findings_format: change it with findings() or the make arguments.
	load_target "$target"
	base_key=$({
		echo "$mode $target $findings_format"
		git -C "$LINUX" rev-parse 'base^{tree}'
		echo "$objs"
		for f in $FRAGMENTS; do cat "$TOP/configs/$f.config"; done
		"${CROSS_COMPILE}gcc" --version | head -n 1
		[ "$mode" != sparse ] || sparse --version
	} | sha256sum | cut -d' ' -f1)
	base_cache=$HOME/.cache/perf-series/lint/$base_key.findings
	baseline=$TOP/lint/baseline/$mode-$target.findings
	if [ ! -f "$base_cache" ] && [ -f "$baseline" ] && [ "$(head -n 1 "$baseline")" = "# key $base_key" ]; then
		mkdir -p "$(dirname "$base_cache")"
		tail -n +2 "$baseline" >"$base_cache"
		echo "  $mode: base findings for $target from $(rel "$baseline")"
	fi
	# The patched tree's findings are kept the same way, keyed on HEAD's
	# tree instead of base, when linux/ has no uncommitted change.
	patched_cache=
	if [ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ]; then
		patched_cache=$HOME/.cache/perf-series/lint/$({
			echo "$base_key"
			git -C "$LINUX" rev-parse "HEAD^{tree}"
		} | sha256sum | cut -d' ' -f1).findings
	fi
	for side in base patched; do
		if [ $side = base ]; then src=$BUILD/src-base; else src=$LINUX; fi
		if [ $side = base ] && [ -f "$base_cache" ]; then
			echo "  $mode: base findings for $target from the cache ($(wc -l <"$base_cache") lines)"
			cp "$base_cache" "$LOGS/$mode/base-$target.findings"
			write_baseline
			continue
		fi
		if [ $side = patched ] && [ -n "$patched_cache" ] && [ -f "$patched_cache" ]; then
			echo "  $mode: findings of this tree for $target from the cache ($(wc -l <"$patched_cache") lines)"
			cp "$patched_cache" "$LOGS/$mode/patched-$target.findings"
			continue
		fi
		out=$BUILD/kernel/lint-$side-$target
		# sparse and W=1 share the folder; the gate may run them at once.
		mkdir -p "$out"
		exec 9>"$out.lock"
		flock 9
		step "$mode: configure $side tree for $target" "$LOGS/$mode/$side-$target-prepare.log" \
			env VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$src" "$out" -- prepare || {
			record "$stage" FAIL "$mode: prepare $side $target"
			status=1
			exec 9>&-
			continue 2
		}
		load_target "$target"
		log=$LOGS/$mode/$side-$target.log
		: >"$log"
		complete=1
		for o in $objs; do
			# A file the base does not have yet has no base findings.
			[ -f "$src/${o%.o}.c" ] || continue
			# W=1 warnings come from compiling: an object left up to date
			# by an earlier run would hide them (ccache replays them).
			[ "$mode" != w1 ] || rm -f "$out/$o"
			# -k: keep going; a file that does not compile shows as an error.
			kmake "$src" "$out" -k "${margs[@]}" "$o" >>"$log" 2>&1 || true
			# A file the target's config does not build was not checked.
			if [ ! -f "$out/$o" ]; then
				complete=0
				if [ $side = patched ]; then
					record "$stage" FAIL "$mode: $o on $target" \
						"not compiled (option off in the target's config?)"
					status=1
				fi
			fi
		done
		exec 9>&-
		findings "$src" "$log" >"$LOGS/$mode/$side-$target.findings"
		if [ $side = base ] && [ $complete = 1 ]; then
			mkdir -p "$(dirname "$base_cache")"
			cp "$LOGS/$mode/base-$target.findings" "$base_cache"
			write_baseline
		fi
		# Findings are kept when every object compiled (a compile error
		# leaves none); sparse's own "error:" findings (the base's
		# kernel/events/core.c has some) do not prevent it.
		if [ $side = patched ] && [ -n "$patched_cache" ] && [ $complete = 1 ]; then
			mkdir -p "$(dirname "$patched_cache")"
			cp "$LOGS/$mode/patched-$target.findings" "$patched_cache"
		fi
	done
	# Only findings in files the series changes count: 'make C=2' also
	# re-checks what the make run rebuilds on the way (arm64's vDSO), and
	# when none of the target's touched files exist in the base there is
	# no base run to cancel that noise against.
	new=$(comm -13 "$LOGS/$mode/base-$target.findings" "$LOGS/$mode/patched-$target.findings" |
		awk -v list="$touched" 'BEGIN { n = split(list, f, "\n"); for (i = 1; i <= n; i++) t[f[i] ":"] = 1 }
			$1 in t' || true)
	if [ -z "$new" ]; then
		record "$stage" PASS "$mode on $target: no new findings ($(echo "$objs" | wc -w) files)"
	else
		echo "$new" >"$LOGS/$mode/new-$target.txt"
		record "$stage" FAIL "$mode on $target: new findings" \
			"$(echo "$new" | head -n 1 | cut -c1-140); all: $(rel "$LOGS/$mode/new-$target.txt")"
		status=1
	fi
done
exit $status
