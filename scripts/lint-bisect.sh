#!/usr/bin/env bash
# Bisectability: build the x86_64 target at every commit base+1..HEAD.
# linux/ must be clean; it is left at the branch it was on, whatever
# happens.
#
# HEAD is built first (or taken as built: HEAD_BUILT=1, 'make test' built
# it with the config check already), in the target's own object folder.
# The other commits are built newest first, in a copy of that folder: each
# step then recompiles what one patch changed, where walking oldest first
# would begin with a jump from HEAD back to patch 1 that recompiles
# everything the series touches (about 6 minutes on 2 cores). The copy is
# built at the folder's own path (the original waits aside, in
# FOLDER.head, and comes back at the end, or at the start of the next run
# if this one was killed): objtool and the generated Makefile record that
# path, and a folder built elsewhere would rebuild everything. So the
# target's folder is HEAD's again afterwards, for the guests and the next
# run.
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
# kept (outside the clone, keyed on all of these) and says so.
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
	put_back
}
# put_back: HEAD's object folder back in place (after a copy was built).
put_back() {
	if [ -d "$BUILD/kernel/$target.head" ]; then
		rm -rf "$BUILD/kernel/$target"
		mv "$BUILD/kernel/$target.head" "$BUILD/kernel/$target"
	fi
}
put_back
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

# read_deps: the files (relative to linux/) the last build in $work read.
read_deps() {
	local rel
	rel=$(realpath -m --relative-to="$work" "$LINUX")/
	find "$work" -name '*.cmd' -print0 | xargs -0 -r cat | tr ' \\\t' '\n\n\n' |
		sed -n -e "s#^$rel##p" -e "s#^$LINUX/##p" | sort -u >"$deps"
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
	VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$LINUX" "$work" -- syncconfig \
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

# HEAD: with the config check, in the target's own folder.
i=$total
key=$(cache_key HEAD 1)
if [ "${HEAD_BUILT:-0}" = 1 ]; then
	res_status[i]=PASS res_detail[i]="built for the guests"
	touch "$cache/$key"
	built=$i
elif [ -f "$cache/$key" ]; then
	res_status[i]=PASS res_detail[i]="same tree built before"
elif step "build $target at patch $i/$total" "$LOGS/bisect/$i.log" \
	env VERIFY_CONFIG=1 "$TOP/scripts/build-kernel.sh" "$target"; then
	res_status[i]=PASS res_detail[i]=
	touch "$cache/$key"
	built=$i
else
	res_status[i]=FAIL res_detail[i]="see $(rel "$LOGS/bisect/$i.log")"
	status=1
fi

# The older commits, newest first, in a copy of the folder (made when the
# first of them needs building) at its own path.
moved=0
for ((i = total - 1; i >= 1; i--)); do
	c=${commits[i - 1]}
	key=$(cache_key "$c" 0)
	if [ -f "$cache/$key" ]; then
		echo "  patch $i/$total: this tree built before (cached result)"
		res_status[i]=PASS res_detail[i]="same tree built before"
		continue
	fi
	git -C "$LINUX" checkout -q --detach "$c"
	if [ $moved = 0 ] && [ -d "$out" ]; then
		mv "$out" "$out.head"
		cp -a "$out.head" "$out"
		moved=1
	fi
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
		env VERIFY_CONFIG=0 "$TOP/scripts/build-kernel.sh" "$target" "$LINUX" "$work" -- vmlinux modules; then
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
