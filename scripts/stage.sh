#!/usr/bin/env bash
# stage.sh [-n NICE] NAME CMD [ARG...]: run one node of make test's stage
# graph (scripts/gate.mk): a stage, or a step that stages depend on
# (prepare-selftests-T). Records its wall time and ok/fail in
# build/logs/times.tsv and exits 0 whatever CMD did: a stage's pass/fail
# lives in its result rows (build/results/), and 'make test' fails at the
# end (scripts/gate.sh end), after every other stage has run, as the
# stages that depend on a failed one record why they have nothing to run.
# -n: run CMD at that niceness (the builds, so that the guests' timing
# stays close to that of a quiet machine).
. "$(dirname "$0")/lib.sh"
nice=
if [ "${1:-}" = -n ]; then
	nice=${2:?usage: stage.sh [-n NICE] NAME CMD [ARG...]}
	shift 2
fi
name=${1:?usage: stage.sh [-n NICE] NAME CMD [ARG...]}
shift
[ $# -gt 0 ] || die "stage.sh $name: no command"
mkdir -p "$LOGS" "$BUILD/gate"
# step() (scripts/lib.sh) prints a line whole, tagged with GATE_LANE, when
# that is set: with make -j, other stages print at the same time. The tag
# is the stage's name (lib.sh keeps the variable's old name: every build
# and per-commit cache key hashes lib.sh, and a new name would rebuild all).
export GATE_LANE=$name
echo "== $name"
t0=$SECONDS rc=0
if [ -n "$nice" ]; then
	nice -n "$nice" "$@" || rc=$?
else
	"$@" || rc=$?
fi
printf '%s\t%s\t%s\n' "$name" $((SECONDS - t0)) "$([ $rc -eq 0 ] && echo ok || echo fail)" >>"$LOGS/times.tsv"
# The target make asked for: the stage ran (in this make, whatever its result).
echo $rc >"$BUILD/gate/$name.done"
