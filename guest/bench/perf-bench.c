// SPDX-License-Identifier: GPL-2.0
/*
 * Guest benchmarks for 'make bench'. Each benchmark prints one line
 *   BENCH <name> <value> <unit>
 * where value is the median of several rounds. Under QEMU -icount the
 * guest clock follows the executed instructions, so values repeat from
 * run to run and base and patched kernels can be compared as ratios.
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 7

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
}

/* perf_event_open + read + close of a software counter on this task. */
static double bench_open_read_close(int iters)
{
	struct perf_event_attr attr;
	uint64_t count;
	double t0;
	int i, fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.exclude_kernel = 1;

	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
		if (fd < 0) {
			perror("perf_event_open");
			exit(1);
		}
		if (read(fd, &count, sizeof(count)) != sizeof(count)) {
			perror("read");
			exit(1);
		}
		close(fd);
	}
	return (now_ns() - t0) / iters;
}

/* Round trips of one byte between two tasks pinned to the same CPU. */
static double bench_pipe_pingpong(int iters)
{
	int ab[2], ba[2], i;
	double t0, dt;
	pid_t pid;
	char c = 0;

	if (pipe(ab) || pipe(ba)) {
		perror("pipe");
		exit(1);
	}
	pin_to_cpu(0);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		for (i = 0; i < iters; i++) {
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) {
			perror("pingpong");
			exit(1);
		}
	}
	dt = (now_ns() - t0) / iters;
	waitpid(pid, NULL, 0);
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
	return dt;
}

int main(void)
{
	double v[ROUNDS];
	int r;

	for (r = 0; r < ROUNDS; r++)
		v[r] = bench_open_read_close(2000);
	printf("BENCH open_read_close %.1f ns/op\n", median(v, ROUNDS));
	for (r = 0; r < ROUNDS; r++)
		v[r] = bench_pipe_pingpong(5000);
	printf("BENCH pipe_pingpong %.1f ns/roundtrip\n", median(v, ROUNDS));
	return 0;
}
