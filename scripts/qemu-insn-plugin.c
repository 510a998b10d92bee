// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU TCG plugin for 'make bench-profile': counts the guest instructions
 * executed in each translation block that starts in the kernel's address
 * range, and writes "start-address instructions-per-block instructions"
 * lines at exit (out=FILE, default insn-count.txt). Summed per kernel
 * symbol by scripts/bench-profile.py. A block left early (an exception
 * or interrupt in its middle) still counts whole: a small overcount that
 * is the same with and without the event being measured.
 *
 * Debian 12 ships QEMU 7.2 with plugin support but without the plugin
 * header (qemu-plugin.h), so the few functions used here are declared by
 * hand, as in version 1 of QEMU's plugin API.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
	enum qemu_plugin_op op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t id, void *userdata), void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* x86_64 kernel text; user space and modules below are left out */
#define KERNEL_START	0xffffffff80000000ULL

struct block {
	uint64_t	vaddr;
	uint64_t	insns;
	uint64_t	executed;	/* instructions, not executions */
	struct block	*next;
};

static struct block *blocks;
static const char *out_path = "insn-count.txt";

/* One vCPU (make bench's setup): the inline counters need no atomics. */
static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	if (vaddr < KERNEL_START)
		return;
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->vaddr = vaddr;
	b->insns = qemu_plugin_tb_n_insns(tb);
	b->next = blocks;
	blocks = b;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->executed, b->insns);
}

static void finished(qemu_plugin_id_t id, void *userdata)
{
	FILE *f = fopen(out_path, "w");
	struct block *b;

	if (!f) {
		perror(out_path);
		return;
	}
	for (b = blocks; b; b = b->next) {
		if (b->executed)
			fprintf(f, "%llx %llu %llu\n", (unsigned long long)b->vaddr,
				(unsigned long long)b->insns,
				(unsigned long long)b->executed);
	}
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, finished, NULL);
	return 0;
}
