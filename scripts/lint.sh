#!/usr/bin/env bash
# make lint: the lint stages of 'make test' alone: check-sync, checkpatch,
# the topic series applied with git am and quilt, a build of every
# patch, sparse, W=1 and coccicheck (new findings only).
STAGES="sync checkpatch series build-x86_64 sparse w1 cocci" exec "$(dirname "$0")/test.sh"
