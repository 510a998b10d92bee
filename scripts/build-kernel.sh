#!/usr/bin/env bash
# Configure and build one target (configs/targets/NAME) out of tree.
#
#   build-kernel.sh NAME [SRC [OUT]] [-- MAKE-TARGETS...]
#
# SRC is the kernel tree (default linux/), OUT the object folder (default
# build/kernel/NAME). The .config is allnoconfig plus the target's
# fragments (KCONFIG_ALLCONFIG), so only what a fragment asks for is built;
# every option a fragment asks for must survive, or the build stops: a test
# whose option was silently dropped would not run. VERIFY_CONFIG=0 skips
# that check (per-commit builds, where later options do not exist yet).
. "$(dirname "$0")/lib.sh"

name=${1:?usage: build-kernel.sh NAME [SRC [OUT]] [-- MAKE-TARGETS...]}
shift
src=$LINUX
out=$BUILD/kernel/$name
if [ $# -gt 0 ] && [ "$1" != -- ]; then src=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != -- ]; then out=$1; shift; fi
[ "${1:-}" = -- ] && shift
load_target "$name"
need ccache make "${CROSS_COMPILE}gcc"
[ -f "$src/Makefile" ] || die "no kernel tree at $src"
mkdir -p "$out"

frags=()
for f in $FRAGMENTS ${EXTRA_FRAGMENTS:-}; do
	case $f in /*) frags+=("$f") ;; *) frags+=("$TOP/configs/$f.config") ;; esac
done
cat "${frags[@]}" >"$out/fragments.config"
KCONFIG_ALLCONFIG=$out/fragments.config kmake "$src" "$out" allnoconfig

# Every CONFIG_X=v and '# CONFIG_X is not set' requested must hold.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) want="# ${line%=n} is not set" ;;
	CONFIG_*=*) want=$line ;;
	'# CONFIG_'*' is not set') want=$line ;;
	*) continue ;;
	esac
	if [[ $want == "# "* ]]; then
		sym=${want#\# }
		sym=${sym%% *}
		grep -q "^$sym=" "$out/.config" || continue
	elif grep -qxF "$want" "$out/.config"; then
		continue
	fi
	echo "config: '$line' did not survive allnoconfig (dependency missing?)" >&2
	missing=1
done < <(cat "${frags[@]}")
[ $missing -eq 0 ] || [ "${VERIFY_CONFIG:-1}" = 0 ] || die "target $name: requested options missing from $out/.config"

kmake "$src" "$out" "$@"
