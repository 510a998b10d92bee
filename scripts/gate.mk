# make test's stage graph. Every stage is a file target, build/gate/NAME.done,
# whose recipe is one call of scripts/stage.sh: the stage's own script with
# explicit arguments, timed into build/logs/times.tsv. stage.sh never fails,
# so one failed stage does not stop the others: a stage's pass/fail is in its
# result rows (build/results/), and the last node, 'gate.sh end', fails the
# run. The dependencies are prerequisites: the KUnit and kselftest guests
# wait for the step that builds their kernel (and initramfs), nothing else.
#
#   make test                      (Makefile: this graph, make -j2)
#   make -j2 -f scripts/gate.mk test STAGES="sync harness"
#   make -f scripts/gate.mk test   (one stage at a time)
#
# Every node is built again by each make: the guests always run, and what
# does not change is taken from the caches by the scripts themselves
# (RESULT_CACHE and the others in scripts/lib.sh), not by timestamps here.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
S := $(TOP)/scripts
BUILD ?= $(TOP)/build
G := $(BUILD)/gate
STAGE := $(S)/stage.sh
# Builds run at nice 5, so that the guests' timing stays close to that of a
# quiet machine. Their kernel makes keep their own -j$(JOBS) (kmake in
# scripts/lib.sh) rather than make's jobserver: every build and per-commit
# cache key hashes lib.sh, so changing kmake rebuilds everything once,
# and with warm caches the gate builds next to nothing. No recipe is a '+'
# one, so 'make -n -f scripts/gate.mk test' runs nothing.
BUILDSTAGE := $(STAGE) -n 5

ALL_STAGES := sync harness checkpatch series build-x86_64 kunit-x86_64 selftests-x86_64 kunit-x86_64-debug \
	selftests-x86_64-debug kunit-arm64-debug selftests-arm64 selftests-arm64-acpi build-powerpc64 \
	kunit-powerpc64 build-powerpc64-nodebug kunit-powerpc64-nodebug build-i386 build-powerpc64-spufs-m \
	sparse w1 cocci
# Only STAGES= selects these: KUnit and the kselftests on the KCSAN kernel
# x86_64-kcsan-ksft ('make test-kcsan': about 30 min cold on 2 cores, 3
# warm); a KCSAN report with a frame in series code fails them.
EXTRA_STAGES := kunit-x86_64-kcsan selftests-x86_64-kcsan
LINT_STAGES := sync checkpatch series build-x86_64 sparse w1 cocci
STAGES ?= $(ALL_STAGES)
ifeq ($(strip $(STAGES)),)
STAGES := $(ALL_STAGES)
endif
$(foreach s,$(STAGES),$(if $(filter $(s),$(ALL_STAGES) $(EXTRA_STAGES)),,\
	$(error unknown stage '$(s)' (stages: $(ALL_STAGES) $(EXTRA_STAGES)))))

done = $(patsubst %,$(G)/%.done,$(1))

# The order of the nodes. In each pass over this list make starts every
# node that is ready, waiting for a free job slot for each one: the builds
# and lint, ready from the start, take both slots first (the kselftest
# kernels in the order the guests use them, then what no guest needs, the
# per-commit builds last); the guests follow, two at a time (a guest
# whose kernel is ready when the first pass reaches it starts then). Stages not in STAGES are
# left out, the prerequisites of those in it are not. A chain of the
# builds (each an order-only prerequisite of the next, one slot building
# while the other runs guests, as the builds lane of the old
# scripts/test.sh did) was not faster: the long guests (arm64, x86_64
# debug: 300 to 400 s each) waited behind builds. 2026-12-07, caches warm
# but the kselftest kernels rebuilt from ccache, load 7 to 8 on 2 cores
# from other jobs: 714 and 833 s without the chain, 880 s with it (the old
# test.sh: 780 s).
ORDER := sync harness \
	prepare-selftests-x86_64 kunit-x86_64 prepare-selftests-arm64 selftests-x86_64 \
	prepare-selftests-x86_64-debug kunit-arm64-debug selftests-arm64 build-powerpc64 \
	kunit-x86_64-debug selftests-x86_64-debug kunit-powerpc64 selftests-arm64-acpi \
	build-powerpc64-nodebug kunit-powerpc64-nodebug \
	prepare-selftests-x86_64-kcsan kunit-x86_64-kcsan selftests-x86_64-kcsan \
	cocci sparse w1 build-i386 build-powerpc64-spufs-m checkpatch series build-x86_64
# The dependencies: each guest stage needs the step that builds its
# kernel (and initramfs): a kselftest stage's prepare step, which the KUnit
# stage of the same configuration shares (it boots that kernel with
# kunit.enable=1); arm64's KUnit target arm64-debug boots the arm64
# kselftest kernel (configs/targets/arm64-debug); powerpc64 has no
# kselftest guest: its build stage builds its kernel.
PREP_kunit-x86_64 := prepare-selftests-x86_64
PREP_selftests-x86_64 := prepare-selftests-x86_64
PREP_kunit-arm64-debug := prepare-selftests-arm64
PREP_selftests-arm64 := prepare-selftests-arm64
PREP_selftests-arm64-acpi := prepare-selftests-arm64
PREP_kunit-x86_64-debug := prepare-selftests-x86_64-debug
PREP_selftests-x86_64-debug := prepare-selftests-x86_64-debug
PREP_kunit-x86_64-kcsan := prepare-selftests-x86_64-kcsan
PREP_selftests-x86_64-kcsan := prepare-selftests-x86_64-kcsan
PREP_kunit-powerpc64 := build-powerpc64
PREP_kunit-powerpc64-nodebug := build-powerpc64-nodebug
$(foreach s,$(ALL_STAGES) $(EXTRA_STAGES),$(if $(PREP_$(s)),$(eval $(G)/$(s).done: $(G)/$(PREP_$(s)).done)))
# Every stage has its place in ORDER (a stage left out would never run).
$(foreach s,$(ALL_STAGES) $(EXTRA_STAGES),$(if $(filter $(s),$(ORDER)),,$(error stage '$(s)' is not in ORDER)))
# The nodes to run: STAGES and what they need.
needs = $(strip $(foreach s,$(STAGES),$(PREP_$(s))))
selected = $(filter $(STAGES) $(needs),$(ORDER))

.PHONY: test lint FORCE
test: $(call done,$(selected))
	@$(S)/gate.sh end
# make lint: the lint stages of the graph, alone.
lint: $(call done,$(filter $(LINT_STAGES),$(ORDER)))
	@$(S)/gate.sh end

$(G)/began: FORCE
	@$(S)/gate.sh begin
# Every node comes after gate.sh begin and runs in every make.
$(call done,$(ORDER)): $(G)/began FORCE

# Stages without prerequisites.
$(G)/sync.done:
	@$(STAGE) sync $(S)/check-sync.sh --record
$(G)/harness.done:
	@$(STAGE) harness $(S)/harness.sh
$(G)/checkpatch.done:
	@$(STAGE) checkpatch $(S)/lint-checkpatch.sh
# Each topic series applies with git am on top of the topics it names,
# and the whole set with quilt push -a, in a work tree of its own.
$(G)/series.done:
	@$(STAGE) series $(S)/lint-series.sh
$(G)/sparse.done:
	@$(BUILDSTAGE) sparse $(S)/lint-findings.sh sparse
$(G)/w1.done:
	@$(BUILDSTAGE) w1 $(S)/lint-findings.sh w1
$(G)/cocci.done:
	@$(BUILDSTAGE) cocci $(S)/lint-cocci.sh
$(G)/build-i386.done:
	@$(BUILDSTAGE) build-i386 $(S)/build-stage.sh i386
# Cell with spufs as a module and the cbe_spu PMU built in, compile only:
# built-in code that calls into spufs fails to link here (powerpc64 builds
# spufs in). Its result is cached by the tree like build-i386's.
$(G)/build-powerpc64-spufs-m.done:
	@$(BUILDSTAGE) build-powerpc64-spufs-m $(S)/build-stage.sh powerpc64-spufs-m
# With kunit-powerpc64 the guest needs the image, not only the result: the
# kernel is built (from ccache) even when the same tree built before.
$(G)/build-powerpc64.done:
	@$(BUILDSTAGE) build-powerpc64 $(S)/build-stage.sh $(if $(filter kunit-powerpc64,$(STAGES)),--image) powerpc64
# The same kernel without the debug checkers, for KUnit in the
# configuration a distribution kernel has.
$(G)/build-powerpc64-nodebug.done:
	@$(BUILDSTAGE) build-powerpc64-nodebug $(S)/build-stage.sh \
		$(if $(filter kunit-powerpc64-nodebug,$(STAGES)),--image) powerpc64-nodebug
# Per-commit builds of the x86_64 kselftest kernel, in their own work tree
# and object folder (build/bisect/): they read nothing the other stages
# write, and run whenever a slot is free.
$(G)/build-x86_64.done:
	@$(BUILDSTAGE) build-x86_64 $(S)/lint-bisect.sh x86_64-ksft

# A kselftest stage is a prepare step (its kernel, with the KUnit suites
# built in, the kselftests and the initramfs) and a run in the guest; the
# KUnit stages boot the kernel of their prerequisite (PREP_ above).
$(G)/prepare-selftests-%.done:
	@$(BUILDSTAGE) prepare-selftests-$* $(S)/selftests.sh --prepare $*
$(G)/selftests-%.done:
	@$(STAGE) selftests-$* $(S)/selftests.sh --run $*
$(G)/kunit-%.done:
	@$(STAGE) kunit-$* $(S)/kunit.sh --no-build $*
# The arm_cspmu kselftest again, in the kernel and initramfs of
# selftests-arm64, booted through UEFI with the fake banks described by an
# APMT (scripts/cspmu-fake-apmt.sh): the ACPI path from the table to the
# PMUs. Only that test: the others do not depend on how the PMUs are
# described.
$(G)/selftests-arm64-acpi.done:
	@$(STAGE) selftests-arm64-acpi $(S)/selftests.sh --run --acpi --only perf_events:arm_cspmu arm64
