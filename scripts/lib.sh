# shellcheck shell=bash
# Common settings and helpers, sourced by every script in scripts/.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LINUX=${LINUX:-$TOP/linux}
BUILD=${BUILD:-$TOP/build}
LOGS=$BUILD/logs
RESULTS=$BUILD/results
JOBS=${JOBS:-$(nproc)}

# Identity of the series: author of every patch, committer in linux/.
SERIES_NAME='Seed 4f271d58'
SERIES_EMAIL='seed-4f271d58@users.noreply.invalid'
# Fixed date of the pristine base commit, so that its hash is the same on
# every machine (the tree hash depends only on the Debian tarball).
BASE_DATE='2000-01-01T00:00:00+0000'
DEBIAN_SRC_PKG=linux-source-6.1
DEBIAN_SRC_TARBALL=/usr/src/linux-source-6.1.tar.xz

# ccache lives outside the clone, so a fresh clone on the same machine
# reuses it; CCACHE_BASEDIR makes hits independent of the clone's path.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/perf-series/ccache}
# Packages of other architectures unpacked by 'make deps' (arm64 busybox).
FOREIGN=${FOREIGN:-$HOME/.cache/perf-series/foreign}
export CCACHE_BASEDIR=$TOP
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-12G}
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-time_macros}
# Depend mode: on a miss ccache takes the headers from the compiler's own
# dependency file (kbuild asks for one) instead of running the
# preprocessor once more. A cold cache, as on a fresh CI machine, then
# costs about 10% more CPU than no ccache instead of about 40% (measured
# on kernel/ of the x86_64-ksft kernel); hits are found as before.
export CCACHE_DEPEND=${CCACHE_DEPEND:-1}
# Reproducible kernel builds (and better ccache hits).
export KBUILD_BUILD_TIMESTAMP='Sat Jan  1 00:00:00 UTC 2000'
export KBUILD_BUILD_USER=perf-series KBUILD_BUILD_HOST=qemu
export PYTHONDONTWRITEBYTECODE=1
export LC_ALL=C.UTF-8

die() {
	echo "error: $*" >&2
	exit 1
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "'$t' is missing: run 'make deps' (or 'bash .ci/run' on a fresh machine)"
	done
}

need_tree() {
	[ -e "$LINUX/.git" ] || die "no kernel work tree in ${LINUX#"$TOP"/}/: run 'make tree' first"
}

rel() { echo "${1#"$TOP"/}"; }

# step WHAT LOG CMD...: run CMD with all output in LOG; print one progress
# line (what, then the elapsed time), and on failure the log's tail and path.
# Under 'make test', stages run in two lanes at once (GATE_LANE is set):
# each line is then printed whole when the step ends, with its lane.
step() {
	local what=$1 log=$2 t0=$SECONDS rc=0 head
	shift 2
	mkdir -p "$(dirname "$log")"
	head=$(printf '  %-58s ' "$what")
	[ -n "${GATE_LANE:-}" ] && head=$(printf '  %-8s%-50s ' "[$GATE_LANE]" "$what") || printf '%s' "$head"
	"$@" >"$log" 2>&1 || rc=$?
	[ -n "${GATE_LANE:-}" ] || head=
	if [ $rc -eq 0 ]; then
		printf '%sok   %4ss\n' "$head" $((SECONDS - t0))
	else
		# One write, so that the other lane's lines do not cut into it.
		printf '%s' "$(printf '%sFAIL %4ss\n' "$head" $((SECONDS - t0))
			tail -n 25 "$log" | sed 's/^/      | /'
			echo "      full log: $(rel "$log")")
"
	fi
	return $rc
}

# record STAGE STATUS NAME [DETAIL]: one result line for the summary.
# STATUS is PASS, FAIL or SKIP.
record() {
	local stage=$1 status=$2 name=$3 detail=${4:-}
	mkdir -p "$RESULTS"
	printf '%s\t%s\t%s\n' "$status" "$name" "$detail" >>"$RESULTS/$stage.tsv"
	if [ "$status" != PASS ]; then
		printf '    %s %s: %s%s\n' "$status" "$stage" "$name" "${detail:+ ($detail)}"
	fi
}

# reset_results STAGE: forget the results of an earlier run of STAGE.
reset_results() {
	mkdir -p "$RESULTS"
	: >"$RESULTS/$1.tsv"
}

# load_target NAME: read configs/targets/NAME (ARCH, CROSS_COMPILE,
# FRAGMENTS, IMAGE, ...).
load_target() {
	local f=$TOP/configs/targets/$1
	[ -f "$f" ] || die "unknown build target '$1' (see configs/targets/)"
	ARCH= CROSS_COMPILE= FRAGMENTS= IMAGE= QEMU_ARCH= KUNIT_ARCH= QEMU_ARGS= SELFTEST_KERNEL= KUNIT_KERNEL_ARGS=
	FAKE_CSPMU= KUNIT_KERNEL= KUNIT_QEMU_CONFIG=
	# shellcheck source=/dev/null
	. "$f"
}

# Results that depend only on content (a kernel tree, config fragments,
# the harness scripts, the toolchain) are kept outside the clone, like
# ccache, so that a fresh clone on the same machine does not redo them.
RESULT_CACHE=${RESULT_CACHE:-$HOME/.cache/perf-series/results}

# tree_key: HEAD's tree in linux/, or nothing when linux/ has uncommitted
# changes (no tree describes them, so nothing may be cached for them).
tree_key() {
	[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] || return 0
	git -C "$LINUX" rev-parse 'HEAD^{tree}'
}

# build_key NAME: the key of target NAME's kernel as build-kernel.sh
# builds it from linux/ (nothing when linux/ is not clean): the tree, the
# target and its fragments, the compilers, linker, make and pahole, and
# the scripts that run the build.
build_key() {
	local t
	t=$(tree_key)
	[ -n "$t" ] || return 0
	(
		load_target "$1"
		{
			echo "kernel 1 $1 $t"
			cat "$TOP/configs/targets/$1"
			for f in $FRAGMENTS ${EXTRA_FRAGMENTS:-}; do
				case $f in /*) cat "$f" ;; *) cat "$TOP/configs/$f.config" ;; esac
			done
			"${CROSS_COMPILE}gcc" --version | head -n 1
			"${CROSS_COMPILE}ld" --version | head -n 1
			# Host tools and compiler plugins, make, BTF.
			gcc --version | head -n 1
			make --version | head -n 1
			pahole --version 2>/dev/null || true
			cat "$TOP/scripts/lib.sh" "$TOP/scripts/build-kernel.sh"
		} | sha256sum | cut -d' ' -f1
	)
}

# kmake SRC OUT MAKE-ARGS...: make in kernel tree SRC with objects in OUT,
# for the loaded target, through ccache.
kmake() {
	local src=$1 out=$2
	shift 2
	# scripts/nocache/ccache keeps .incbin users out of the cache.
	PATH="$TOP/scripts/nocache:$PATH" \
	make -C "$src" O="$out" ARCH="$ARCH" ${CROSS_COMPILE:+CROSS_COMPILE=$CROSS_COMPILE} \
		CC="ccache ${CROSS_COMPILE}gcc" HOSTCC="ccache gcc" -j"$JOBS" "$@"
}
