// SPDX-License-Identifier: GPL-2.0
/*
 * Guest benchmarks for 'make bench'. Each benchmark prints one line
 *   BENCH <name> <value> <unit>
 * where value is the median of several rounds, or
 *   BENCH-SKIP <name> <reason>
 * when the kernel cannot run it (the base kernel has no test PMU). Under
 * QEMU -icount the guest clock follows the executed instructions, so
 * values repeat from run to run: the base and the patched kernel are
 * compared as ratios, and so are runs with and without a test-PMU event
 * on the same kernel (scripts/bench-report.py holds the goals).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/* Run @fn(@arg) ROUNDS times and print the median as benchmark @name. */
static void report(const char *name, const char *unit, double (*fn)(int), int arg)
{
	double v[ROUNDS];
	int r;

	for (r = 0; r < ROUNDS; r++)
		v[r] = fn(arg);
	printf("BENCH %s %.1f %s\n", name, median(v, ROUNDS), unit);
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

static void xpipe(int fds[2])
{
	if (pipe(fds)) {
		perror("pipe");
		exit(1);
	}
}

static pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	return pid;
}

/* Round trips of one byte between two tasks pinned to the same CPU. */
static double pingpong_run(int iters)
{
	int ab[2], ba[2], i;
	double t0, dt;
	pid_t pid;
	char c = 0;

	xpipe(ab);
	xpipe(ba);
	pin_to_cpu(0);
	pid = xfork();
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

/*
 * pingpong_run() in a new process, so that both tasks are new: a task
 * keeps the perf context of the per-task events it once had (this process
 * opened some in bench_open_read_close()), and while the core's switch
 * hooks are on, every sched-in of such a task locks that empty context.
 * That cost comes from the task's past events, not from the system-wide
 * event whose switch cost is measured, and would differ with the order
 * of the benchmarks.
 */
static double bench_pipe_pingpong(int iters)
{
	double dt = -1;
	int res[2];
	pid_t pid;

	xpipe(res);
	pid = xfork();
	if (pid == 0) {
		dt = pingpong_run(iters);
		_exit(write(res[1], &dt, sizeof(dt)) == sizeof(dt) ? 0 : 1);
	}
	if (read(res[0], &dt, sizeof(dt)) != sizeof(dt)) {
		perror("pingpong result");
		exit(1);
	}
	waitpid(pid, NULL, 0);
	close(res[0]);
	close(res[1]);
	return dt;
}

/* Round trips between two tasks on one CPU, each costing two switches. */
#define PINGPONG_ITERS	5000

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid,
			       int cpu)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, -1, 0);
}

/* The test PMU's type, or -1 when this kernel has none. */
static int test_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/test_pmu0/type", "r");
	int type = -1;

	if (f) {
		if (fscanf(f, "%d", &type) != 1)
			type = -1;
		fclose(f);
	}
	return type;
}

/* A system-wide "seq" event of the test PMU on @cpu */
static int open_test_pmu_cpu(int type, int cpu)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	fd = sys_perf_event_open(&attr, -1, cpu);
	if (fd < 0) {
		perror("perf_event_open(test_pmu0, system-wide)");
		exit(1);
	}
	return fd;
}

static int nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : n;
}

/* fork() + _exit() + waitpid() */
static double bench_fork_exit(int iters)
{
	double t0;
	pid_t pid;
	int i;

	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(1);
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	return (now_ns() - t0) / iters;
}

/*
 * Idle threads for the open benchmarks: they block on a pipe until told
 * to go. Small stacks, so that thousands fit in the guest.
 */
static int idle_pipe[2];
static pthread_t *idle_threads;
static int nr_idle;

static void *idle_thread(void *arg)
{
	char c;

	if (read(idle_pipe[0], &c, 1) < 0)
		perror("read");
	return arg;
}

static void idle_threads_set(int want)
{
	pthread_attr_t attr;
	char c = 0;
	int i;

	if (!idle_threads) {
		idle_threads = calloc(20000, sizeof(*idle_threads));
		if (!idle_threads || pipe(idle_pipe)) {
			perror("idle threads");
			exit(1);
		}
	}
	if (want < nr_idle) {
		for (i = want; i < nr_idle; i++)
			if (write(idle_pipe[1], &c, 1) != 1)
				perror("write");
		for (i = want; i < nr_idle; i++)
			pthread_join(idle_threads[i], NULL);
		nr_idle = want;
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	for (i = nr_idle; i < want; i++) {
		if (pthread_create(&idle_threads[i], &attr, idle_thread, NULL)) {
			fprintf(stderr, "cannot create thread %d\n", i);
			exit(1);
		}
	}
	pthread_attr_destroy(&attr);
	nr_idle = want;
}

/*
 * Opening a system-wide test-PMU event: the first one gives every thread
 * per-task data, later ones only take a count. Only the open is timed.
 */
static double bench_open_system_wide(int type)
{
	double v[ROUNDS], t0;
	int r, fd;

	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		fd = open_test_pmu_cpu(type, 0);
		v[r] = now_ns() - t0;
		close(fd);
	}
	return median(v, ROUNDS);
}

static void set_paranoid(int level)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "w");

	if (!f || fprintf(f, "%d\n", level) < 0 || fclose(f)) {
		perror("perf_event_paranoid");
		exit(1);
	}
}

/*
 * A system-wide test-PMU open that the permission check refuses (EACCES,
 * as an unprivileged user at perf_event_paranoid 1), timed in a child
 * that prints its own BENCH line: it must cost the same whatever the
 * number of threads, since a refused caller gets no per-task data.
 */
static void bench_open_refused(int type, const char *name)
{
	struct perf_event_attr attr;
	double v[ROUNDS], t0;
	int r, fd, st;
	pid_t pid;

	set_paranoid(1);
	pid = xfork();
	if (!pid) {
		if (setgid(65534) || setuid(65534)) {
			perror("setuid");
			_exit(1);
		}
		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = type;
		for (r = 0; r < ROUNDS; r++) {
			/* Not open_test_pmu_cpu(): it exits on the refusal. */
			t0 = now_ns();
			fd = sys_perf_event_open(&attr, -1, 0);
			v[r] = now_ns() - t0;
			if (fd >= 0 || errno != EACCES) {
				fprintf(stderr, "%s: open not refused (fd %d)\n", name, fd);
				_exit(1);
			}
		}
		printf("BENCH %s %.1f ns/op\n", name, median(v, ROUNDS));
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		printf("BENCH-SKIP %s the refused open failed otherwise\n", name);
	set_paranoid(0);
}

static void bench_test_pmu(void)
{
	static const int threads[] = { 0, 1000, 4000, 16000 };
	int type = test_pmu_type();
	int fds[64], first, i, cpu, ncpus = nr_cpus();
	char name[64];

	if (type < 0) {
		printf("BENCH-SKIP pingpong_sw_event no test PMU in this kernel\n");
		printf("BENCH-SKIP fork_exit_global no test PMU in this kernel\n");
		for (i = 0; i < 4; i++) {
			printf("BENCH-SKIP open_first_%dthreads no test PMU in this kernel\n", threads[i]);
			printf("BENCH-SKIP open_second_%dthreads no test PMU in this kernel\n", threads[i]);
			printf("BENCH-SKIP open_refused_%dthreads no test PMU in this kernel\n", threads[i]);
		}
		return;
	}

	/* Context switches while system-wide events need sched_task() */
	for (cpu = 0; cpu < ncpus; cpu++)
		fds[cpu] = open_test_pmu_cpu(type, cpu);
	report("pingpong_sw_event", "ns/roundtrip", bench_pipe_pingpong, PINGPONG_ITERS);

	/* fork+exit while the global reference exists */
	report("fork_exit_global", "ns/op", bench_fork_exit, 200);
	for (cpu = 0; cpu < ncpus; cpu++)
		close(fds[cpu]);

	for (i = 0; i < 4; i++) {
		idle_threads_set(threads[i]);
		snprintf(name, sizeof(name), "open_first_%dthreads", threads[i]);
		printf("BENCH %s %.1f ns/op\n", name, bench_open_system_wide(type));

		first = open_test_pmu_cpu(type, 1 % ncpus);
		snprintf(name, sizeof(name), "open_second_%dthreads", threads[i]);
		printf("BENCH %s %.1f ns/op\n", name, bench_open_system_wide(type));
		close(first);
		fflush(stdout);

		snprintf(name, sizeof(name), "open_refused_%dthreads", threads[i]);
		bench_open_refused(type, name);
	}
	idle_threads_set(0);
}

/*
 * The cost of one sample on the way into the ring buffer: page faults
 * (a read of an untouched anonymous page maps the zero page, one fault
 * per page) with and without a sampling page-fault event of this task,
 * sample_period 1, so that each fault writes exactly one sample. The
 * sample type is that of 'perf record' with several events. The buffer
 * is mapped read-only (overwrite mode): no reader, no sample lost.
 */
#define SAMPLE_FAULTS	2000
#define SAMPLE_PAGES	64
#define SAMPLE_TYPE	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
			 PERF_SAMPLE_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD)
/* header and six u64 fields */
#define SAMPLE_SIZE	56

static long page_size;

/* Fault in SAMPLE_FAULTS pages by reading them; ns per fault */
static double fault_pages(void)
{
	size_t len = SAMPLE_FAULTS * page_size;
	volatile char *p;
	double t0, dt;
	long i;

	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	/* One fault per page, not a huge zero page for all */
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	t0 = now_ns();
	for (i = 0; i < SAMPLE_FAULTS; i++)
		(void)p[i * page_size];
	dt = (now_ns() - t0) / SAMPLE_FAULTS;
	munmap((void *)p, len);
	return dt;
}

/*
 * Open @attr (its type, config and sample type set by the caller) as a
 * disabled event of this task sampling every event, and map @len bytes
 * of its ring buffer; exits on failure. *fdp: the event.
 */
static void *open_sampled(struct perf_event_attr *attr, size_t len, const char *what, int *fdp)
{
	void *rb;

	attr->size = sizeof(*attr);
	attr->sample_period = 1;
	attr->disabled = 1;
	*fdp = sys_perf_event_open(attr, 0, -1);
	if (*fdp < 0) {
		fprintf(stderr, "perf_event_open(%s): %s\n", what, strerror(errno));
		exit(1);
	}
	rb = mmap(NULL, len, PROT_READ, MAP_SHARED, *fdp, 0);
	if (rb == MAP_FAILED) {
		perror("mmap(perf buffer)");
		exit(1);
	}
	return rb;
}

/* Samples written per fault: data_head's advance over one round */
static double sample_faults_check;

static double faults_sampled(void)
{
	struct perf_event_attr attr;
	struct perf_event_mmap_page *up;
	uint64_t head;
	double dt;
	void *rb;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_PAGE_FAULTS;
	attr.sample_type = SAMPLE_TYPE;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	rb = open_sampled(&attr, (SAMPLE_PAGES + 1) * page_size, "page-faults", &fd);
	up = rb;
	head = __atomic_load_n(&up->data_head, __ATOMIC_ACQUIRE);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	dt = fault_pages();
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	head = __atomic_load_n(&up->data_head, __ATOMIC_ACQUIRE) - head;
	sample_faults_check = (double)head / SAMPLE_SIZE / SAMPLE_FAULTS;
	munmap(rb, (SAMPLE_PAGES + 1) * page_size);
	close(fd);
	return dt;
}

/*
 * ns per sample: the median of rounds with the event less the median of
 * rounds without it. The munmap() and the event's enabling are outside
 * the timed loop.
 */
static void bench_sample(void)
{
	double none[ROUNDS], sampled[ROUNDS], n, s;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		none[r] = fault_pages();
		sampled[r] = faults_sampled();
		if (sample_faults_check != 1.0) {
			printf("BENCH-SKIP sample_cost %.3f samples per fault, not 1\n",
			       sample_faults_check);
			return;
		}
	}
	n = median(none, ROUNDS);
	s = median(sampled, ROUNDS);
	printf("BENCH fault_nosample %.1f ns/fault\n", n);
	printf("BENCH fault_sample %.1f ns/fault\n", s);
	printf("BENCH sample_cost %.1f ns/sample\n", s - n);
}

/* Write @val to the file at @path; 0 or -1 */
static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -1;
	if (fputs(val, f) < 0)
		ret = -1;
	if (fclose(f))
		ret = -1;
	return ret;
}

/*
 * One tracepoint recorded by perf and by ftrace: syscalls:sys_enter_getppid,
 * which only the timed loop hits. A loop of TP_CALLS getppid() runs without
 * recording, with a perf event of this task on the tracepoint (period 1,
 * the sample type 'perf record' gives tracepoints, a read-only buffer of
 * TP_PAGES pages: no reader, nothing lost), and with the event enabled in
 * tracefs (ftrace's ring buffer of this CPU, TP_PAGES pages too). The
 * cost per record is the loop's time with recording less without, over
 * the records counted: data_head for perf, the buffer's "entries" and
 * "overrun" counts for ftrace, which must be TP_CALLS. Both buffers are
 * large enough not to wrap. Enabling and disabling are not timed.
 */
#define TP_CALLS	2000
#define TP_PAGES	64
#define TRACEFS		"/sys/kernel/tracing"
#define TP_EVENT	TRACEFS "/events/syscalls/sys_enter_getppid"
#define TP_SAMPLE_TYPE	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
			 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW)

/* @n getppid() calls; ns in all */
static double getppid_loop(int n)
{
	double t0 = now_ns();
	int i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return now_ns() - t0;
}

/* @n calls with the tracepoint recorded by perf; *records: samples written */
static double tp_perf_round(int id, int n, long *records)
{
	struct perf_event_attr attr;
	struct perf_event_mmap_page *up;
	struct perf_event_header *hdr;
	size_t len = (TP_PAGES + 1) * page_size;
	uint64_t head;
	double dt;
	void *rb;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = id;
	attr.sample_type = TP_SAMPLE_TYPE;
	rb = open_sampled(&attr, len, "tracepoint", &fd);
	up = rb;
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	dt = getppid_loop(n);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	head = __atomic_load_n(&up->data_head, __ATOMIC_ACQUIRE);
	/* One record size: the first record tells it. */
	hdr = (struct perf_event_header *)((char *)rb + page_size);
	*records = -1;
	if (head && hdr->type == PERF_RECORD_SAMPLE && hdr->size && !(head % hdr->size))
		*records = head / hdr->size;
	munmap(rb, len);
	close(fd);
	return dt;
}

/* "name: N" of ftrace's per-CPU stats file, or -1 */
static long trace_stat(const char *text, const char *name)
{
	const char *p = text;
	size_t n = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, n) && p[n] == ':')
			return strtol(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* @n calls with the tracepoint recorded by ftrace; *records: events written */
static double tp_ftrace_round(int n, long *records)
{
	char stats[1024];
	long entries, overrun;
	size_t len;
	double dt;
	FILE *f;

	/* Truncating the trace empties the buffer and zeroes its counts. */
	if (write_file(TRACEFS "/trace", "") || write_file(TP_EVENT "/enable", "1")) {
		perror("tracefs");
		exit(1);
	}
	dt = getppid_loop(n);
	if (write_file(TP_EVENT "/enable", "0")) {
		perror("tracefs");
		exit(1);
	}
	*records = -1;
	f = fopen(TRACEFS "/per_cpu/cpu0/stats", "r");
	if (!f)
		return dt;
	len = fread(stats, 1, sizeof(stats) - 1, f);
	fclose(f);
	stats[len] = 0;
	/* Nothing read them: written = entries + overrun */
	entries = trace_stat(stats, "entries");
	overrun = trace_stat(stats, "overrun");
	if (entries >= 0 && overrun >= 0)
		*records = entries + overrun;
	return dt;
}

static void tp_skip(const char *why)
{
	printf("BENCH-SKIP tp_nothing %s\n", why);
	printf("BENCH-SKIP tp_perf %s\n", why);
	printf("BENCH-SKIP tp_ftrace %s\n", why);
	printf("BENCH-SKIP tp_perf_over_ftrace %s\n", why);
}

/* The tracepoint's id, or -1 without tracefs or syscall tracepoints */
static int tp_id(void)
{
	FILE *f = fopen(TP_EVENT "/id", "r");
	int id = -1;

	if (f) {
		if (fscanf(f, "%d", &id) != 1)
			id = -1;
		fclose(f);
	}
	return id;
}

static void bench_tracepoint(void)
{
	double none[ROUNDS], perf[ROUNDS], ftrace[ROUNDS], n, p, f;
	char buf[32], why[64];
	int r, id = tp_id();
	long records;

	if (id < 0 || nr_cpus() != 1) {
		tp_skip(id < 0 ? "no tracefs or syscall tracepoints" :
			"ftrace's records are counted on CPU 0 only");
		return;
	}
	/* As many pages per CPU as the perf buffer has */
	snprintf(buf, sizeof(buf), "%ld", TP_PAGES * page_size / 1024);
	if (write_file(TRACEFS "/buffer_size_kb", buf)) {
		perror("buffer_size_kb");
		exit(1);
	}
	for (r = 0; r < ROUNDS; r++) {
		none[r] = getppid_loop(TP_CALLS);
		perf[r] = tp_perf_round(id, TP_CALLS, &records);
		if (records != TP_CALLS) {
			snprintf(why, sizeof(why), "%ld perf records for %d calls", records, TP_CALLS);
			tp_skip(why);
			return;
		}
		ftrace[r] = tp_ftrace_round(TP_CALLS, &records);
		if (records != TP_CALLS) {
			snprintf(why, sizeof(why), "%ld ftrace records for %d calls", records, TP_CALLS);
			tp_skip(why);
			return;
		}
	}
	n = median(none, ROUNDS);
	p = median(perf, ROUNDS);
	f = median(ftrace, ROUNDS);
	printf("BENCH tp_nothing %.1f ns/call\n", n / TP_CALLS);
	printf("BENCH tp_perf %.1f ns/record\n", (p - n) / TP_CALLS);
	printf("BENCH tp_ftrace %.1f ns/record\n", (f - n) / TP_CALLS);
	printf("BENCH tp_perf_over_ftrace %.4f ratio\n", (p - n) / (f - n));
}

/*
 * Samples lost against the buffer's size, and whether every lost sample
 * is counted. A test_pmu_sample event on CPU 0 emits a sample with
 * LOST_BYTES of raw payload every LOST_INTERVAL_US (about 80 bytes a
 * record, 800 KB/s); a reader drains its buffer every LOST_DRAIN_MS, so
 * that about LOST_DRAIN_MS * 10 samples (160 KB, 39 pages) arrive between
 * two drains. It runs LOST_RUN_MS for each buffer size. The event's count
 * is the number of samples it emitted (period 1), read() with
 * PERF_FORMAT_LOST gives those the ring buffer counted lost, and the
 * reader counts the samples it read: attempted = read + lost must hold
 * exactly. A record that is not a well-formed sample of the next
 * sequence numbers is not counted as read, so it shows as unaccounted.
 */
#define LOST_BYTES		64
#define LOST_INTERVAL_US	100
#define LOST_DRAIN_MS		200
#define LOST_RUN_MS		2000

struct lost_reader {
	struct perf_event_mmap_page *up;
	char *data;
	uint64_t mask;
	uint64_t read;		/* samples read */
	uint64_t lost_records;	/* sum of PERF_RECORD_LOST's counts */
	uint64_t last_seq;
};

/* Copy @len bytes at @off of the data area, across its end */
static void lost_copy(struct lost_reader *lr, uint64_t off, void *dst, size_t len)
{
	uint64_t size = lr->mask + 1;
	size_t first;

	off &= lr->mask;
	first = len < size - off ? len : size - off;
	memcpy(dst, lr->data + off, first);
	memcpy((char *)dst + first, lr->data, len - first);
}

/* Read every record up to data_head and give the space back */
static void lost_drain(struct lost_reader *lr)
{
	uint64_t head = __atomic_load_n(&lr->up->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = lr->up->data_tail, v[2], seq;
	struct perf_event_header hdr;
	uint32_t raw_size;

	while (tail < head) {
		lost_copy(lr, tail, &hdr, sizeof(hdr));
		if (hdr.size < sizeof(hdr))
			break;
		if (hdr.type == PERF_RECORD_LOST && hdr.size >= sizeof(hdr) + sizeof(v)) {
			lost_copy(lr, tail + sizeof(hdr), v, sizeof(v));
			lr->lost_records += v[1];
		} else if (hdr.type == PERF_RECORD_SAMPLE &&
			   hdr.size == sizeof(hdr) + ((4 + LOST_BYTES + 7) & ~7)) {
			/* u32 size, then the payload: u64 seq first */
			lost_copy(lr, tail + sizeof(hdr), &raw_size, sizeof(raw_size));
			lost_copy(lr, tail + sizeof(hdr) + 4, &seq, sizeof(seq));
			if (raw_size >= LOST_BYTES && seq > lr->last_seq) {
				lr->read++;
				lr->last_seq = seq;
			}
		}
		tail += hdr.size;
	}
	__atomic_store_n(&lr->up->data_tail, tail, __ATOMIC_RELEASE);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * One run with a buffer of @pages data pages: *attempted, *nread and *lost
 * (the core's count) of its samples. The LOST records cannot add up to
 * more than the core counted: if they do, no sample counts as read.
 */
static void lost_run(int type, int pages, uint64_t *attempted, uint64_t *nread,
		     uint64_t *lost)
{
	struct perf_event_attr attr;
	struct lost_reader lr;
	size_t len = (pages + 1) * page_size;
	uint64_t counts[2];
	double t0;
	void *rb;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = LOST_BYTES;
	attr.config1 = LOST_INTERVAL_US;
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.read_format = PERF_FORMAT_LOST;
	attr.disabled = 1;
	fd = sys_perf_event_open(&attr, -1, 0);
	if (fd < 0) {
		perror("perf_event_open(test_pmu_sample)");
		exit(1);
	}
	/* Writable: the kernel checks the space against data_tail. */
	rb = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rb == MAP_FAILED) {
		perror("mmap(perf buffer)");
		exit(1);
	}
	memset(&lr, 0, sizeof(lr));
	lr.up = rb;
	lr.data = (char *)rb + page_size;
	lr.mask = (uint64_t)pages * page_size - 1;
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	t0 = now_ns();
	while (now_ns() - t0 < LOST_RUN_MS * 1e6) {
		sleep_ms(LOST_DRAIN_MS);
		lost_drain(&lr);
	}
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fd, counts, sizeof(counts)) != sizeof(counts)) {
		perror("read(test_pmu_sample)");
		exit(1);
	}
	lost_drain(&lr);
	*attempted = counts[0];
	*lost = counts[1];
	*nread = lr.lost_records > counts[1] ? 0 : lr.read;
	munmap(rb, len);
	close(fd);
}

static void bench_lost(void)
{
	static const int sizes[] = { 1, 4, 16, 64, 256 };
	uint64_t attempted, nread, lost, all = 0, unaccounted = 0;
	FILE *f = fopen("/sys/bus/event_source/devices/test_pmu_sample/type", "r");
	int type = -1, i;

	if (f) {
		if (fscanf(f, "%d", &type) != 1)
			type = -1;
		fclose(f);
	}
	if (type < 0) {
		for (i = 0; i < 5; i++)
			printf("BENCH-SKIP rb_lost_%dpages no test PMU in this kernel\n", sizes[i]);
		printf("BENCH-SKIP rb_flood_attempted no test PMU in this kernel\n");
		printf("BENCH-SKIP rb_flood_unaccounted no test PMU in this kernel\n");
		return;
	}
	for (i = 0; i < 5; i++) {
		lost_run(type, sizes[i], &attempted, &nread, &lost);
		printf("BENCH rb_lost_%dpages %.4f lost/attempted (%llu of %llu, %llu read)\n",
		       sizes[i], attempted ? (double)lost / attempted : -1.0,
		       (unsigned long long)lost, (unsigned long long)attempted,
		       (unsigned long long)nread);
		all += attempted;
		unaccounted += attempted > nread + lost ? attempted - nread - lost :
			       nread + lost - attempted;
	}
	printf("BENCH rb_flood_attempted %llu samples\n", (unsigned long long)all);
	printf("BENCH rb_flood_unaccounted %llu samples\n", (unsigned long long)unaccounted);
}

/*
 * 'perf-bench pingpong N [event]': N round trips of the ping-pong only,
 * with a system-wide test-PMU event on every CPU when asked, for 'make
 * bench-profile', which counts the instructions of each kernel function
 * over the whole boot: the difference between a run with the event and
 * one without is what the event costs at each switch.
 */
static int profile_pingpong(int argc, char **argv)
{
	int iters = argc > 2 ? atoi(argv[2]) : 0;
	int event = argc > 3 && !strcmp(argv[3], "event");
	int fds[64], cpu, ncpus = nr_cpus(), type;

	if (iters <= 0) {
		fprintf(stderr, "usage: perf-bench pingpong N [event]\n");
		return 2;
	}
	if (event) {
		type = test_pmu_type();
		if (type < 0) {
			fprintf(stderr, "perf-bench: no test PMU in this kernel\n");
			return 1;
		}
		for (cpu = 0; cpu < ncpus; cpu++)
			fds[cpu] = open_test_pmu_cpu(type, cpu);
	}
	printf("PINGPONG %d round trips%s: %.1f ns/roundtrip\n", iters,
	       event ? " with a system-wide test-PMU event" : "",
	       bench_pipe_pingpong(iters));
	if (event) {
		for (cpu = 0; cpu < ncpus; cpu++)
			close(fds[cpu]);
	}
	return 0;
}

/*
 * 'perf-bench tracepoint N none|perf|ftrace': N getppid() calls only,
 * without recording or with bench_tracepoint()'s perf event or ftrace
 * event on syscalls:sys_enter_getppid, for 'make bench-profile': the
 * difference between a run that records and one that does not, per
 * kernel function, is what each record costs there. The buffers wrap
 * (overwrite mode), which costs nothing more per record.
 */
static int profile_tracepoint(int argc, char **argv)
{
	int iters = argc > 2 ? atoi(argv[2]) : 0;
	const char *mode = argc > 3 ? argv[3] : "";
	int id = tp_id();
	long records;
	char buf[32];
	double dt;

	if (iters <= 0 || (strcmp(mode, "none") && strcmp(mode, "perf") && strcmp(mode, "ftrace"))) {
		fprintf(stderr, "usage: perf-bench tracepoint N none|perf|ftrace\n");
		return 2;
	}
	if (id < 0) {
		fprintf(stderr, "perf-bench: no tracefs or syscall tracepoints\n");
		return 1;
	}
	/* Every run sizes (allocates) ftrace's buffer, so that only the records differ. */
	snprintf(buf, sizeof(buf), "%ld", TP_PAGES * page_size / 1024);
	if (write_file(TRACEFS "/buffer_size_kb", buf)) {
		perror("buffer_size_kb");
		return 1;
	}
	if (!strcmp(mode, "none"))
		dt = getppid_loop(iters);
	else if (!strcmp(mode, "perf"))
		dt = tp_perf_round(id, iters, &records);
	else
		dt = tp_ftrace_round(iters, &records);
	printf("TRACEPOINT %d calls, %s: %.1f ns/call\n", iters, mode, dt / iters);
	return 0;
}

/*
 * 'perf-bench fault N none|perf': N page faults, in rounds of
 * SAMPLE_FAULTS, with bench_sample()'s page-fault event opened and its
 * buffer mapped in both modes but enabled only with "perf", for 'make
 * bench-profile': the difference per kernel function is what one sample
 * costs there. The buffer is emptied after each round, as a reader
 * would, so that no sample is lost.
 */
static int profile_fault(int argc, char **argv)
{
	int iters = argc > 2 ? atoi(argv[2]) : 0;
	const char *mode = argc > 3 ? argv[3] : "";
	size_t len = (SAMPLE_PAGES + 1) * page_size;
	int perf = !strcmp(mode, "perf"), fd, r, bad = 0;
	struct perf_event_attr attr;
	struct perf_event_mmap_page *up;
	uint64_t head, tail;
	double dt = 0;

	if (iters <= 0 || iters % SAMPLE_FAULTS || (!perf && strcmp(mode, "none"))) {
		fprintf(stderr, "usage: perf-bench fault N none|perf (N a multiple of %d)\n",
			SAMPLE_FAULTS);
		return 2;
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_PAGE_FAULTS;
	attr.sample_type = SAMPLE_TYPE;
	attr.sample_period = 1;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = sys_perf_event_open(&attr, 0, -1);
	if (fd < 0) {
		perror("perf_event_open(page-faults)");
		return 1;
	}
	up = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (up == MAP_FAILED) {
		perror("mmap(perf buffer)");
		return 1;
	}
	/* One round first, so that no first-touch fault (vDSO data) is sampled */
	fault_pages();
	if (perf)
		ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	for (r = 0; r < iters / SAMPLE_FAULTS; r++) {
		tail = __atomic_load_n(&up->data_head, __ATOMIC_ACQUIRE);
		dt += fault_pages();
		head = __atomic_load_n(&up->data_head, __ATOMIC_ACQUIRE);
		if (head - tail != (perf ? SAMPLE_FAULTS * SAMPLE_SIZE : 0))
			bad = 1;
		__atomic_store_n(&up->data_tail, head, __ATOMIC_RELEASE);
	}
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	munmap(up, len);
	close(fd);
	if (bad) {
		fprintf(stderr, "perf-bench: not one %d-byte sample per fault\n", SAMPLE_SIZE);
		return 1;
	}
	printf("FAULT %d faults, %s: %.1f ns/fault\n", iters, mode, dt / (iters / SAMPLE_FAULTS));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	if (argc > 1 && !strcmp(argv[1], "pingpong"))
		return profile_pingpong(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "tracepoint"))
		return profile_tracepoint(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "fault"))
		return profile_fault(argc, argv);
	if (argc > 1) {
		fprintf(stderr, "usage: perf-bench [pingpong N [event] | tracepoint N none|perf|ftrace |\n"
				"                   fault N none|perf]\n");
		return 2;
	}
	report("open_read_close", "ns/op", bench_open_read_close, 2000);
	report("pipe_pingpong", "ns/roundtrip", bench_pipe_pingpong, PINGPONG_ITERS);
	report("fork_exit", "ns/op", bench_fork_exit, 200);
	bench_sample();
	bench_tracepoint();
	bench_lost();
	bench_test_pmu();
	return 0;
}
