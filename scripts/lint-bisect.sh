#!/usr/bin/env bash
# Bisectability: build TARGET (make test: x86_64-ksft) at every commit
# base+1..HEAD of linux/.
#
#   lint-bisect.sh TARGET
#
# The commits are checked out in a work tree of their own,
# build/bisect/linux (git worktree), and built in an object folder of
# their own, build/bisect/build/kernel/TARGET: linux/ and the other
# object folders are never touched, so this runs beside every other stage
# of make test. The folder sits at the same depth below build/bisect as
# build/kernel/TARGET below the repository, so that the paths a compile
# names (made relative by CCACHE_BASEDIR) are the same as in the guests'
# builds and ccache serves both.
#
# HEAD is built first, with the config check. The other commits are built
# newest first: each step then recompiles what one patch changed, where
# walking oldest first would begin with a jump from HEAD back to patch 1
# that recompiles everything the series touches (about 6 minutes on 2
# cores). The folder keeps the last build between runs.
#
# A commit whose patch on top changes no file the later commit's build
# read (the sources and headers in the objects' .cmd dependency lists,
# the Makefiles of the folders the build went into) and, if that patch
# changes Kconfig files, gives the same configuration, builds exactly what
# the later commit built: it is not built again (its result says so). The
# series' documentation, selftest and arm64-only patches are such patches
# on x86_64.
#
# A commit whose tree built before, for the same target configuration,
# compiler and build script, is not built again either: its result is
# kept (outside the clone, keyed on all of these) and says so. Only the
# commits; uncommitted changes in linux/ are the sync stage's concern.
. "$(dirname "$0")/lib.sh"
need_tree
stage=lint-bisect
target=${1:?usage: lint-bisect.sh TARGET}
reset_results "$stage"
wt=$BUILD/bisect/linux
out=$BUILD/bisect/build/kernel/$target
deps=$out.deps
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

# checkout COMMIT: the work tree at COMMIT (made, or made again when it is
# not a work tree of linux/ any more, e.g. after 'make tree').
checkout() {
	if [ "$(git -C "$wt" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" != "$(git -C "$LINUX" rev-parse --path-format=absolute --git-common-dir)" ] ||
		! git -C "$wt" checkout -q -f --detach "$1" 2>/dev/null; then
		rm -rf "$wt"
		mkdir -p "$(dirname "$wt")"
		# One lock for prune and add with the other stages that make
		# worktrees of linux/ (lint-series.sh, base-tree.sh).
		(
			flock 8
			git -C "$LINUX" worktree prune
			git -C "$LINUX" worktree add -f --detach "$wt" "$1"
		) 8>"$LINUX/.git/perf-series-worktrees.lock" >"$LOGS/bisect/worktree.log" 2>&1 ||
			die "cannot check out $1 into $(rel "$wt"): see $(rel "$LOGS/bisect/worktree.log")"
	fi
}

# read_deps: the files (relative to the work tree) the last build in $work read.
read_deps() {
	local rel
	rel=$(realpath -m --relative-to="$work" "$wt")/
	find "$work" -name '*.cmd' -print0 | xargs -0 -r cat | tr ' \\\t' '\n\n\n' |
		sed -n -e "s#^$rel##p" -e "s#^$wt/##p" | sort -u >"$deps"
	# Folders the build went into (each has a .cmd file, if only that of
	# its built-in.a): their Makefile and Kbuild are read.
	(cd "$work" && find . -name '*.cmd' -printf '%h\n') | sed 's#^\./\?##' | sort -u >"$deps.dirs"
}

# same_build PATCH: true when the build before PATCH (its parent) reads
# nothing PATCH changes, so that it is the build of PATCH's tree that was
# just done. A patch that changes Kconfig files qualifies only if the
# parent's configuration is the same as the last build's.
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
	cp "$work/.config" "$deps.config"
	VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$wt" "$work" -- syncconfig \
		>"$LOGS/bisect/config-$i.log" 2>&1 &&
		cmp -s "$work/.config" "$deps.config"
}

mkdir -p "$LOGS/bisect"
mapfile -t commits < <(git -C "$LINUX" rev-list --reverse base..HEAD)
total=${#commits[@]}
[ "$total" -gt 0 ] || exit 0
declare -a res_status res_detail
status=0
work=$out
rm -f "$deps" "$deps.dirs"
# built: the build in $work is that of commit i+1's tree ("" when the
# folder holds no build of a commit this walk visited, or it failed).
built=

# HEAD: with the config check (and the boot image).
i=$total
key=$(cache_key HEAD 1)
if [ -f "$cache/$key" ]; then
	res_status[i]=PASS res_detail[i]="same tree built before"
else
	checkout "${commits[i - 1]}"
	if step "build $target at patch $i/$total" "$LOGS/bisect/$i.log" \
		env VERIFY_CONFIG=1 "$TOP/scripts/build-kernel.sh" "$target" "$wt" "$out"; then
		res_status[i]=PASS res_detail[i]=
		touch "$cache/$key"
		built=$i
	else
		res_status[i]=FAIL res_detail[i]="see $(rel "$LOGS/bisect/$i.log")"
		status=1
	fi
fi

# The older commits, newest first.
for ((i = total - 1; i >= 1; i--)); do
	c=${commits[i - 1]}
	key=$(cache_key "$c" 0)
	if [ -f "$cache/$key" ]; then
		echo "  patch $i/$total: this tree built before (cached result)"
		res_status[i]=PASS res_detail[i]="same tree built before"
		continue
	fi
	checkout "$c"
	# Patch i+1 changes nothing the build of its tree read: this tree
	# builds the same.
	if [ "$built" = $((i + 1)) ] && { [ -s "$deps" ] || read_deps; } && same_build "${commits[i]}"; then
		echo "  patch $((i + 1))/$total changes no file of the $target build, nor its config: patch $i is the same build"
		res_status[i]=PASS res_detail[i]="no file of the $target build changed by patch $((i + 1))"
		built=$i
		touch "$cache/$key"
		continue
	fi
	# vmlinux and the modules: what a patch can break. The boot image
	# (compressing vmlinux again) is HEAD's concern only.
	if step "build $target at patch $i/$total" "$LOGS/bisect/$i.log" \
		env VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$wt" "$work" -- vmlinux modules; then
		res_status[i]=PASS res_detail[i]=
		built=$i
		touch "$cache/$key"
		read_deps
	else
		res_status[i]=FAIL res_detail[i]="see $(rel "$LOGS/bisect/$i.log")"
		status=1
		built=
	fi
done
for ((i = 1; i <= total; i++)); do
	record "$stage" "${res_status[i]}" "builds at patch $i: $(git -C "$LINUX" log -1 --format=%s "${commits[i - 1]}")" \
		"${res_detail[i]}"
done
exit $status
