#!/usr/bin/env bash
# scripts/test.sh: the same as 'make test' (the stage graph scripts/gate.mk,
# two jobs at once), for callers that run the gate as a script:
#   STAGES="sync checkpatch harness" scripts/test.sh
# Arguments go to make (e.g. -j1, or a target of scripts/gate.mk: lint).
. "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || set -- test
exec make -C "$TOP" --no-print-directory -j2 -f "$TOP/scripts/gate.mk" "$@"
