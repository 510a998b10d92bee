#!/usr/bin/env bash
# Bisectability: build the x86_64 target at every commit base+1..HEAD, in
# order, incrementally in the target's own object folder, ending at HEAD.
# linux/ must be clean; it is left at the branch it was on, whatever
# happens.
#
# A commit that changes no file the previous build read (the sources and
# headers in the objects' .cmd dependency lists, the Makefiles of the
# folders the build went into) and, if it changes Kconfig files, gives the
# same configuration, builds exactly what the previous commit built: it is
# not built again (its result says so). The series' documentation,
# selftest and arm64-only patches are such commits on x86_64.
#
# A commit whose tree built before, for the same target configuration,
# compiler and build script, is not built again either: its result is
# kept (outside the clone, keyed on all of these) and says so. As long as
# no commit is built, the object folder stays that of HEAD; once one is,
# HEAD is built again at the end whatever the cache says.
. "$(dirname "$0")/lib.sh"
need_tree
stage=lint-bisect
target=${BISECT_TARGET:-x86_64}
reset_results "$stage"
[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] || {
	record "$stage" FAIL "per-commit builds" "linux/ has uncommitted changes"
	exit 1
}
branch=$(git -C "$LINUX" symbolic-ref -q --short HEAD || git -C "$LINUX" rev-parse HEAD)
# The checkouts give every file a commit changes a new modification time;
# back at HEAD the files are as before, and so are their times again: the
# other targets' object folders (kselftest kernels, lint) then stay up to
# date instead of recompiling everything the series touches.
mtimes=$(mktemp)
git -C "$LINUX" log --format= --name-only base..HEAD | sort -u | sed '/^$/d' |
	(cd "$LINUX" && while read -r f; do [ -f "$f" ] && printf '%s %s\n' "$(stat -c %.9Y "$f")" "$f"; done) >"$mtimes" || true
restore() {
	git -C "$LINUX" checkout -q "$branch"
	(cd "$LINUX" && while read -r t f; do
		# Only files whose content is HEAD's again (they all should be).
		git diff --quiet HEAD -- "$f" 2>/dev/null && touch -m -d "@$t" "$f"
	done <"$mtimes") || true
	rm -f "$mtimes"
}
trap restore EXIT
out=$BUILD/kernel/$target
deps=$BUILD/kernel/$target.deps
cache=$HOME/.cache/perf-series/bisect
mkdir -p "$cache"
load_target "$target"
# What a result depends on besides the commit's tree.
setup_key=$({
	echo "$target"
	for f in $FRAGMENTS; do cat "$TOP/configs/$f.config"; done
	"${CROSS_COMPILE}gcc" --version | head -n 1
	cat "$TOP/scripts/build-kernel.sh" "$TOP/scripts/lib.sh"
} | sha256sum | cut -d' ' -f1)
# cache_key COMMIT VERIFY: the key of COMMIT's result, built with the
# config check (VERIFY=1) or without.
cache_key() {
	printf '%s %s %s\n' "$setup_key" "$(git -C "$LINUX" rev-parse "$1^{tree}")" "$2" | sha256sum | cut -d' ' -f1
}

# read_deps: the files (relative to linux/) the last build in $out read.
read_deps() {
	local rel
	rel=$(realpath -m --relative-to="$out" "$LINUX")/
	find "$out" -name '*.cmd' -print0 | xargs -0 -r cat | tr ' \\\t' '\n\n\n' |
		sed -n -e "s#^$rel##p" -e "s#^$LINUX/##p" | sort -u >"$deps"
	# Folders the build went into (each has a .cmd file, if only that of
	# its built-in.a): their Makefile and Kbuild are read.
	(cd "$out" && find . -name '*.cmd' -printf '%h\n') | sed 's#^\./\?##' | sort -u >"$deps.dirs"
}

# same_build COMMIT: true when COMMIT changes nothing the last build read.
# A commit that changes Kconfig files is the same build only if the
# configuration it gives is the same as the last build's.
same_build() {
	local f kconfig=0
	[ -s "$deps" ] || return 1
	while read -r f; do
		case $f in
		Kconfig* | */Kconfig*) kconfig=1 ;;
		Makefile | Kbuild | scripts/* | arch/x86/Makefile* | include/config/*) return 1 ;;
		*/Makefile | */Kbuild)
			grep -qxF "$(dirname "$f")" "$deps.dirs" && return 1
			continue
			;;
		esac
		grep -qxF "$f" "$deps" && return 1
	done < <(git -C "$LINUX" diff-tree --no-commit-id --name-only -r "$1")
	[ $kconfig = 1 ] || return 0
	cp "$out/.config" "$deps.config"
	VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" -- syncconfig >"$LOGS/bisect/config-$i.log" 2>&1 &&
		cmp -s "$out/.config" "$deps.config"
}

status=0
i=0
last_ok=0
built_any=0
rm -f "$deps" "$deps.dirs"
mkdir -p "$LOGS/bisect"
commits=$(git -C "$LINUX" rev-list --reverse base..HEAD)
total=$(echo "$commits" | sed '/^$/d' | wc -l)
for c in $commits; do
	i=$((i + 1))
	subject=$(git -C "$LINUX" log -1 --format=%s "$c")
	git -C "$LINUX" checkout -q --detach "$c"
	# The last commit's build is the real one, checked against the target's
	# fragments; earlier commits may lack options that later patches add.
	verify=0
	[ "$i" -eq "$total" ] && verify=1
	key=$(cache_key "$c" $verify)
	if [ -f "$cache/$key" ] && { [ "$i" -lt "$total" ] || [ $built_any = 0 ]; }; then
		echo "  patch $i/$total: this tree built before (cached result)"
		record "$stage" PASS "builds at patch $i: $subject" "same tree built before"
		continue
	fi
	# HEAD_BUILT=1: 'make test' built HEAD (with the config check) already.
	if [ "$i" -gt 1 ] && { [ $verify = 0 ] || [ "${HEAD_BUILT:-0}" = 1 ]; } && [ "$last_ok" = 1 ] &&
		same_build "$c"; then
		echo "  patch $i/$total changes no file of the $target build, nor its config: same build as patch $((i - 1))"
		record "$stage" PASS "builds at patch $i: $subject" "no file of the $target build changed"
		touch "$cache/$key"
		continue
	fi
	if step "build $target at patch $i/$total" "$LOGS/bisect/$i.log" \
		env VERIFY_CONFIG=$verify "$TOP/scripts/build-kernel.sh" "$target"; then
		record "$stage" PASS "builds at patch $i: $subject"
		last_ok=1
		built_any=1
		touch "$cache/$key"
		read_deps
	else
		record "$stage" FAIL "builds at patch $i: $subject" "see $(rel "$LOGS/bisect/$i.log")"
		status=1
		last_ok=0
		built_any=1
	fi
done
exit $status
