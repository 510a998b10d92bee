#!/usr/bin/env bash
# build-stage.sh [--image] TARGET: the build-TARGET stage of make test: one
# result, does TARGET's kernel build at HEAD (build/results/build-TARGET.tsv).
# A tree that built before for the same key (scripts/lib.sh, build_key)
# builds again: its result is taken from the cache ($RESULT_CACHE/built/).
# --image: a guest boots the kernel (kunit-powerpc64), so it is built
# (from ccache) even then; build/guest/TARGET/kernel.built says it was.
. "$(dirname "$0")/lib.sh"
need_tree
image=0
[ "${1:-}" != --image ] || { image=1; shift; }
target=${1:?usage: build-stage.sh [--image] TARGET}
stage=build-$target
reset_results "$stage"
marker=$BUILD/guest/$target/kernel.built
rm -f "$marker"
key=$(build_key "$target")
if [ -n "$key" ] && [ -f "$RESULT_CACHE/built/$key" ] && [ $image = 0 ]; then
	echo "  $target kernel: this tree built before (cached result)"
	record "$stage" PASS "$target kernel builds" "same tree built before"
elif step "build $target kernel" "$LOGS/build-$target.log" "$TOP/scripts/build-kernel.sh" "$target"; then
	record "$stage" PASS "$target kernel builds"
	mkdir -p "$(dirname "$marker")"
	touch "$marker"
	if [ -n "$key" ] && [ "$(build_key "$target")" = "$key" ]; then
		mkdir -p "$RESULT_CACHE/built"
		touch "$RESULT_CACHE/built/$key"
	fi
else
	record "$stage" FAIL "$target kernel builds" "see $(rel "$LOGS/build-$target.log")"
	exit 1
fi
