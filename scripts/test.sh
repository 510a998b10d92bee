#!/usr/bin/env bash
# make test: the gate. Runs every stage, records each stage's time in
# build/logs/times.tsv, and ends with one line 'N passed, N failed,
# N skipped' over KUnit cases, selftest cases and lint checks. Exits
# non-zero when anything failed. STAGES="..." runs a subset (names below).
#
# The stages run in two lanes at once, because QEMU guests under TCG leave
# CPU time idle (tests that sleep, wait or time out) that builds can use,
# and builds have single-threaded phases (linking) that leave a core idle:
#   guests: the KUnit and kselftest guests, each as soon as its kernel and
#           initramfs are ready; then it helps with the builds lane's tail;
#   builds: (at nice 5, so that the guests' timing stays close to that of
#           a quiet machine) the kernels and initramfs images the guests
#           need, in the order the guests use them; then the tail (the
#           other builds, checkpatch, sparse, W=1, coccicheck: each taken
#           by whichever lane is free first); and last, once all else is
#           done, the per-commit builds of build-x86_64, which check out
#           older commits in linux/ while nothing else reads it; then
#           (at normal priority) any guest stage the guests lane has not
#           reached yet: with warm caches there is little to build.
# Results that depend only on content are cached outside the clone
# ($RESULT_CACHE, see scripts/lib.sh): a kselftest kernel with its
# initramfs, a compile-only kernel that built, per-commit builds, lint
# findings. A fresh clone of a tree that passed before then spends its
# time in the guests.
# One kernel per configuration: the KUnit stages boot the kselftest
# kernel of their configuration (x86_64-ksft, x86_64-debug-ksft,
# arm64-ksft) with kunit.enable=1, so a kunit-T stage waits for the
# prepare step of selftests-T; build-x86_64's per-commit builds are of
# x86_64-ksft too.
# A stage's time in times.tsv is its own wall time, so with two lanes the
# stage times add up to more than the total. GATE_LANES=1 runs everything
# in one lane, in the same order.
. "$(dirname "$0")/lib.sh"

all_stages="sync harness checkpatch series build-x86_64 kunit-x86_64 selftests-x86_64 kunit-x86_64-debug selftests-x86_64-debug kunit-arm64-debug selftests-arm64 selftests-arm64-acpi build-powerpc64 kunit-powerpc64 build-i386 sparse w1 cocci"
# Stages that only STAGES= selects: KUnit and the kselftests on the KCSAN
# kernel x86_64-kcsan-ksft ('make test-kcsan': about 30 min cold on 2
# cores, 3 warm); a KCSAN report with a frame in series code fails them,
# others are listed (scripts/splat-check.sh -k).
extra_stages="kunit-x86_64-kcsan selftests-x86_64-kcsan"
stages=${STAGES:-$all_stages}
for s in $stages; do
	case " $all_stages $extra_stages " in *" $s "*) ;; *) die "unknown stage '$s' (stages: $all_stages $extra_stages)" ;; esac
done
mkdir -p "$LOGS"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
times=$LOGS/times.tsv
printf 'stage\tseconds\tstatus\n' >"$times"
gate=$BUILD/gate
rm -rf "$gate"
mkdir -p "$gate"
t_all=$SECONDS

# What a fresh Debian 12 machine lacks (a second when nothing does).
"$TOP/scripts/deps.sh"
[ -d "$LINUX/.git" ] || "$TOP/scripts/tree.sh"

selected() { case " $stages " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
in_builds_lane() { case " $builds_lane " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# run_stage NAME CMD...: run one stage (or part of one: NAME may be a
# prepare step), record its time, and mark it done for the other lane.
run_stage() {
	local name=$1 t0=$SECONDS rc=0
	shift
	echo "== $name${GATE_LANE:+ [$GATE_LANE]}"
	"$@" || rc=$?
	printf '%s\t%s\t%s\n' "$name" $((SECONDS - t0)) "$([ $rc -eq 0 ] && echo ok || echo fail)" >>"$times"
	echo $rc >"$gate/$name.done"
}

# wait_for NAME: wait until the other lane has run NAME (if it runs it).
wait_for() {
	local name=$1
	case " $builds_lane " in *" $name "*) ;; *) return 0 ;; esac
	while [ ! -f "$gate/$name.done" ]; do sleep 2; done
}

# build-only stages record one result: did the target build at HEAD.
# A tree that built before for the same key (scripts/lib.sh, build_key)
# builds again: its result is taken from the cache.
build_stage() {
	local target=$1 key
	reset_results "build-$target"
	key=$(build_key "$target")
	# A target that a guest stage boots (kunit-powerpc64) needs the
	# kernel itself, not the result: it is built again (from ccache).
	if [ -n "$key" ] && [ -f "$RESULT_CACHE/built/$key" ] && ! selected "kunit-$target"; then
		echo "  $target kernel: this tree built before (cached result)"
		record "build-$target" PASS "$target kernel builds" "same tree built before"
	elif step "build $target kernel" "$LOGS/build-$target.log" "$TOP/scripts/build-kernel.sh" "$target"; then
		record "build-$target" PASS "$target kernel builds"
		if [ -n "$key" ] && [ "$(build_key "$target")" = "$key" ]; then
			mkdir -p "$RESULT_CACHE/built"
			touch "$RESULT_CACHE/built/$key"
		fi
	else
		record "build-$target" FAIL "$target kernel builds" "see $(rel "$LOGS/build-$target.log")"
		return 1
	fi
}

sync_stage() {
	reset_results lint-sync
	if "$TOP/scripts/check-sync.sh" >"$LOGS/check-sync.log" 2>&1; then
		record lint-sync PASS "patches/ matches linux/"
	else
		sed 's/^/    /' "$LOGS/check-sync.log" | head -n 20
		record lint-sync FAIL "patches/ matches linux/" "run 'make export' (see $(rel "$LOGS/check-sync.log"))"
		return 1
	fi
}

# The harness's own unit tests (scripts/tests/: the result parsers on
# recorded outputs), one result line per test; about a second.
harness_stage() {
	reset_results harness
	step "unit tests of the result parsers (scripts/tests/)" "$LOGS/harness.log" \
		python3 "$TOP/scripts/tests/run.py" "$RESULTS/harness.tsv"
}

# The order of each lane: the guests lane waits for what it needs from
# the builds lane. A selftests-T stage is a prepare step in the builds
# lane (its kernel, kselftests and initramfs) and a run in the guests lane.
builds_lane=
guests_lane=
add_build() { builds_lane="$builds_lane $1"; }
add_guest() { guests_lane="$guests_lane $1"; }
selected selftests-x86_64 && add_build prepare-selftests-x86_64
{ selected selftests-arm64 || selected selftests-arm64-acpi; } && add_build prepare-selftests-arm64
selected selftests-x86_64-debug && add_build prepare-selftests-x86_64-debug
selected selftests-x86_64-kcsan && add_build prepare-selftests-x86_64-kcsan
# The powerpc64 kernel is a guest too (kunit-powerpc64, pseries with the
# Cell platform): with that stage, its build is one of the builds the
# guests wait for, not part of the tail.
ppc_guest=0
selected kunit-powerpc64 && ppc_guest=1
[ $ppc_guest = 0 ] || add_build build-powerpc64
tail_items=
for s in cocci sparse w1 build-powerpc64 build-i386 checkpatch series; do
	[ $s != build-powerpc64 ] || [ $ppc_guest = 0 ] || continue
	selected $s && tail_items="$tail_items $s"
done
builds_lane="$builds_lane $tail_items"
selected build-x86_64 && add_build build-x86_64
for s in kunit-x86_64 selftests-x86_64 kunit-arm64-debug selftests-arm64 kunit-x86_64-debug selftests-x86_64-debug \
	kunit-powerpc64 selftests-arm64-acpi kunit-x86_64-kcsan selftests-x86_64-kcsan; do
	selected $s && add_guest $s
done

run_one() {
	local s=$1
	case $s in
	checkpatch) run_stage checkpatch "$TOP/scripts/lint-checkpatch.sh" ;;
	series) run_stage series "$TOP/scripts/lint-series.sh" ;;
	build-x86_64)
		# Per-commit builds of x86_64-ksft; they check out older commits
		# and rebuild its kernel, so the x86_64 guests must have booted
		# HEAD's kernel first, and the tail (which reads linux/) must be
		# done.
		wait_for_guest kunit-x86_64
		wait_for_guest selftests-x86_64
		for t in $tail_items; do
			while [ ! -f "$gate/$t.done" ]; do sleep 2; done
		done
		# HEAD's build is in its folder unless the prepare step took
		# the kernel from the cache.
		head_built=0
		[ "$(cat "$gate/prepare-selftests-x86_64.done" 2>/dev/null)" != 0 ] ||
			[ -f "$BUILD/guest/x86_64-ksft/kernel.cached" ] || head_built=1
		run_stage build-x86_64 env BISECT_TARGET=x86_64-ksft HEAD_BUILT=$head_built "$TOP/scripts/lint-bisect.sh"
		;;
	prepare-selftests-*)
		run_stage "$s" env NO_BUILD=1 SELFTEST_PHASE=prepare SELFTEST_TARGETS="${s#prepare-selftests-}" \
			"$TOP/scripts/selftests.sh"
		;;
	kunit-*)
		# Each KUnit target boots the kselftest kernel of its
		# configuration (KUNIT_KERNEL), which the prepare step of the
		# matching selftests stage builds.
		dep=prepare-selftests-${s#kunit-}
		[ "$s" != kunit-arm64-debug ] || dep=prepare-selftests-arm64
		# powerpc64 has no kselftest guest: its build stage builds it.
		[ "$s" != kunit-powerpc64 ] || dep=build-powerpc64
		# Without the stage that builds its kernel (STAGES chose it
		# alone, or make test-kcsan), kunit.sh builds it.
		if ! in_builds_lane "$dep"; then
			run_stage "$s" env KUNIT_TARGETS="${s#kunit-}" "$TOP/scripts/kunit.sh"
			return 0
		fi
		wait_for "$dep"
		# The prepare step may fail after its kernel built (kselftests,
		# initramfs): KUnit needs only the kernel.
		if [ -f "$BUILD/guest/$(load_target "${s#kunit-}" && echo "$KUNIT_KERNEL")/kernel.built" ]; then
			:
		elif [ -f "$gate/$dep.done" ] && [ "$(cat "$gate/$dep.done")" != 0 ]; then
			reset_results "$s"
			record "$s" FAIL "kernel build" "$dep failed: nothing to boot"
			echo 1 >"$gate/$s.done"
			printf '%s\t0\tfail\n' "$s" >>"$times"
			return 0
		fi
		run_stage "$s" env NO_BUILD=1 KUNIT_TARGETS="${s#kunit-}" "$TOP/scripts/kunit.sh"
		;;
	selftests-arm64-acpi)
		# The arm_cspmu kselftest again, in the same kernel and
		# initramfs as selftests-arm64, booted through UEFI with the
		# fake banks described by an APMT (scripts/cspmu-fake-apmt.sh):
		# the ACPI path from the table to the PMUs. Only that test: the
		# others do not depend on how the PMUs are described.
		if in_builds_lane prepare-selftests-arm64; then
			wait_for prepare-selftests-arm64
			run_stage "$s" env NO_BUILD=1 CSPMU_ACPI=1 SELFTEST_PHASE=run SELFTEST_TARGETS=arm64 \
				SELFTEST_ONLY=perf_events:arm_cspmu "$TOP/scripts/selftests.sh"
		else
			run_stage "$s" env NO_BUILD=1 CSPMU_ACPI=1 SELFTEST_TARGETS=arm64 \
				SELFTEST_ONLY=perf_events:arm_cspmu "$TOP/scripts/selftests.sh"
		fi
		;;
	selftests-*)
		wait_for "prepare-$s"
		# Without its prepare step (STAGES chose it alone) it prepares too.
		if in_builds_lane "prepare-$s"; then
			run_stage "$s" env NO_BUILD=1 SELFTEST_PHASE=run SELFTEST_TARGETS="${s#selftests-}" \
				"$TOP/scripts/selftests.sh"
		else
			run_stage "$s" env NO_BUILD=1 SELFTEST_TARGETS="${s#selftests-}" "$TOP/scripts/selftests.sh"
		fi
		;;
	build-*) run_stage "$s" build_stage "${s#build-}" ;;
	sparse) run_stage sparse "$TOP/scripts/lint-findings.sh" sparse ;;
	w1) run_stage w1 "$TOP/scripts/lint-findings.sh" w1 ;;
	cocci) run_stage cocci "$TOP/scripts/lint-cocci.sh" ;;
	esac
}

# claim NAME: true for the one lane that takes NAME.
claim() { mkdir "$gate/claim-$1" 2>/dev/null; }

# run_tail: take the tail's stages that the other lane has not taken.
run_tail() {
	local t
	for t in $tail_items; do
		claim "$t" || continue
		run_one "$t"
	done
}

# wait_for_guest NAME: wait until the guests lane has run NAME (if it does).
wait_for_guest() {
	case " $guests_lane " in *" $1 "*) ;; *) return 0 ;; esac
	while [ ! -f "$gate/$1.done" ]; do sleep 2; done
}

selected sync && run_stage sync sync_stage
selected harness && run_stage harness harness_stage
if [ "${GATE_LANES:-2}" = 1 ] || [ -z "$guests_lane" ] || [ -z "$builds_lane" ]; then
	# One lane: the builds lane's order, the guests before the per-commit
	# builds.
	for s in $builds_lane; do
		[ $s = build-x86_64 ] && for g in $guests_lane; do run_one "$g"; done
		run_one "$s"
	done
	case " $builds_lane " in *" build-x86_64 "*) ;; *) for g in $guests_lane; do run_one "$g"; done ;; esac
else
	(
		export GATE_LANE=guests
		for s in $guests_lane; do
			claim "$s" || continue
			run_one "$s"
		done
		run_tail
	) &
	guests_pid=$!
	(
		export GATE_LANE=builds
		for s in $builds_lane; do
			case " $tail_items " in
			*" $s "*) (renice -n 5 $BASHPID >/dev/null; run_tail) ;;
			*) (renice -n 5 $BASHPID >/dev/null; run_one "$s") ;;
			esac
		done
		# With nothing left to build (builds taken from the caches), the
		# guests the other lane has not reached yet, at normal priority.
		for s in $guests_lane; do
			claim "$s" || continue
			run_one "$s"
		done
	) || true
	wait $guests_pid || true
fi
printf 'total\t%s\t%s\n' $((SECONDS - t_all)) \
	"$(awk -F'\t' 'NR > 1 && $3 != "ok" { f = 1 } END { print f ? "fail" : "ok" }' "$times")" >>"$times"

mapfile -t failed_stages < <(awk -F'\t' 'NR > 1 && $1 != "total" && $3 != "ok" { print $1 }' "$times")
cat "$RESULTS"/*.tsv >"$RESULTS/all.tsv" 2>/dev/null || : >"$RESULTS/all.tsv"
passed=$(grep -cE '^(PASS|XPASS)' "$RESULTS/all.tsv" || true)
failed=$(grep -cE '^FAIL' "$RESULTS/all.tsv" || true)
skipped=$(grep -cE '^(SKIP|XFAIL)' "$RESULTS/all.tsv" || true)
xfail=$(grep -cE '^XFAIL' "$RESULTS/all.tsv" || true)
echo
echo "stage times (s): $(awk -F'\t' 'NR > 1 { printf "%s=%s ", $1, $2 }' "$times")"
echo "results: $(rel "$RESULTS/all.tsv"); logs: $(rel "$LOGS")/"
[ "$xfail" -eq 0 ] || echo "skipped includes $xfail expected failures (selftests/expected-failures/)"
if [ ${#failed_stages[@]} -gt 0 ]; then
	echo "failed stages: ${failed_stages[*]}"
	grep -E '^FAIL' "$RESULTS/all.tsv" | cut -f2,3 | head -n 30 | sed 's/^/  FAIL /; s/\t/: /'
	[ "$failed" -gt 0 ] || failed=${#failed_stages[@]}
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failed_stages[@]} -eq 0 ]
