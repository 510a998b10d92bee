# perf_events patch series for Debian 12's Linux 6.1: harness.
# 'make help' lists the targets; README.md explains the workflow.

SHELL := /bin/bash
S := scripts

.PHONY: help deps tree export check-sync build kunit selftests selftests-acpi lint lint-baseline test test-harness test-kcsan run shell soak soak-check bench bench-profile deb deb-boot \
	kselftest-tarball clean

help:
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  make \1\t\2/p' $(MAKEFILE_LIST) | column -t -s "$$(printf '\t')"

deps: ## install the Debian packages the project needs
	@$(S)/deps.sh

tree: ## create linux/: pristine base (tag 'base') + patches/ applied with git am
	@$(S)/tree.sh

export: ## write linux/'s commits base..HEAD back into patches/
	@$(S)/export.sh

check-sync: ## fail unless patches/ matches the commits in linux/ and linux/ is clean
	@$(S)/check-sync.sh

build: ## build every kernel target (x86_64, arm64, powerpc64 with Cell, i386)
	@$(S)/build-all.sh

kunit: ## KUnit on QEMU (x86_64, arm64, powerpc64; KUNIT_TARGETS=...) through kunit.py
	@$(S)/kunit.sh $(KUNIT_TARGETS)

selftests: ## perf_events kselftests in QEMU x86_64 and arm64 guests (SELFTEST_TARGETS=...)
	@$(S)/selftests.sh $(SELFTEST_TARGETS)

selftests-acpi: ## the arm64 kselftests in a guest booted through UEFI with ACPI (fake CoreSight PMUs from an APMT)
	@$(S)/selftests.sh --acpi arm64

lint: ## the lint stages of make test: check-sync, checkpatch, topic series with git am and quilt, per-patch builds, sparse, W=1, coccicheck
	+@$(MAKE) --no-print-directory $(GATE_J) -f $(S)/gate.mk lint

lint-baseline: ## rewrite lint/baseline/ (the base's sparse, W=1 and coccicheck findings) after the touched files change
	@$(S)/deps.sh && LINT_WRITE_BASELINE=1 $(S)/lint-findings.sh sparse && LINT_WRITE_BASELINE=1 $(S)/lint-findings.sh w1 && \
		COCCI_WRITE_BASELINE=1 $(S)/lint-cocci.sh

test-harness: ## the harness's unit tests: result parsers on recorded outputs, variables documented, the Cell SPU decoder with perf script (scripts/tests/; a stage of make test)
	@PYTHONDONTWRITEBYTECODE=1 python3 $(S)/tests/run.py

# make test runs the stage graph scripts/gate.mk with two jobs: those of
# 'make -jN test' when given (a jobserver in MAKEFLAGS), else -j2.
GATE_J = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j2)

test: ## the gate: the stage graph scripts/gate.mk (STAGES="..." a subset), ends with 'N passed, N failed, N skipped'
	+@$(MAKE) --no-print-directory $(GATE_J) -f $(S)/gate.mk test

test-kcsan: ## KUnit and kselftests on an x86_64 KCSAN kernel: reports in series code fail (not in make test)
	+@$(MAKE) --no-print-directory $(GATE_J) -f $(S)/gate.mk test STAGES="kunit-x86_64-kcsan selftests-x86_64-kcsan"

run: ## boot the patched kernel in QEMU and demonstrate perf inside it
	@$(S)/run-demo.sh

shell: ## boot the patched kernel in QEMU with an interactive shell
	@$(S)/run-demo.sh --shell

soak: ## random perf workload on a debug guest (ARCH=x86_64|arm64, SOAK_DURATION=s, SOAK_SEED=n; see scripts/soak.sh)
	@$(S)/soak.sh

soak-check: ## check that make soak fails, with its report, on a stopped worker and on a silent guest (ARCH=...)
	@$(S)/soak-check.sh

bench: ## base vs patched kernel benchmarks under QEMU -icount
	@$(S)/bench.sh

bench-profile: ## instructions per kernel function: a system-wide event at a switch, a tracepoint record, a page-fault sample
	@$(S)/bench-profile.sh

deb: ## Debian packages of the patched kernel with Debian's own config
	@$(S)/deb.sh

deb-boot: ## boot the kernel of make deb's packages in QEMU and run the x86_64 demo on it
	@$(S)/deb-boot.sh

kselftest-tarball: ## pack the perf_events kselftests for a real machine
	@$(S)/kselftest-tarball.sh

clean: ## remove build/ (keeps linux/ and ccache)
	rm -rf build
