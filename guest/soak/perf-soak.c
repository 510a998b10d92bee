// SPDX-License-Identifier: GPL-2.0
/*
 * perf-soak: a random perf_event_open() workload over every PMU of the
 * kernel, for 'make soak' (scripts/soak.sh boots it in a debug guest).
 *
 *   perf-soak [-s SEED] [-d SECONDS] [-w WORKERS] [-m MODULE,...] [-p PMU,...]
 *             [-H SECONDS] [-S SECONDS] [-U] [-X]
 *
 * -s: the seed (default: from the clock); printed first. Worker i draws
 *     from its own generator seeded with SEED and i, so a seed repeats the
 *     choices of each worker (not the order in which the workers run).
 * -d: how long to run (default 600 s).
 * -w: workers (default 4): even ones run as root, odd ones as uid 65534.
 * -U: every worker runs as uid 65534.
 * -m: modules that one more process unloads and loads again at random
 *     times (each only when nothing uses it: delete_module O_NONBLOCK).
 * -p: use only these PMUs (names in /sys/bus/event_source/devices), e.g.
 *     to compare rates with a kernel that lacks some of them.
 * -H: heartbeat period (default 30 s): one line with every worker's count
 *     of operations and what it does now.
 * -S: stall limit (default 120 s): a worker whose count has not moved for
 *     that long (or for half of it when the time runs out, or that does not
 *     die on SIGKILL at the end) is a stall. Then the stalled workers'
 *     /proc/PID/stack and every task's state and kernel stack go to stdout,
 *     every CPU's backtrace to the kernel log (sysrq 'l', where the kernel
 *     has it), and perf-soak exits with status 2 without waiting for them.
 * -X: a check of that watchdog: worker 0 stops after 100 operations,
 *     blocked in read() of an empty pipe, and perf-soak must report it.
 *
 * Each worker keeps up to 48 events and does one random operation at a
 * time: open (any PMU; its format fields or listed events, generic
 * hardware, cache, software, tracepoint and breakpoint events; random
 * sample and read formats, periods from 1 up, frequency mode, inherit,
 * pinned, exclusive, groups that mix PMUs, the worker itself, its parent,
 * a child or any CPU), close, read, mmap and read of the buffer, ioctls
 * (enable, disable, refresh, reset, period, set_output, pause_output, id,
 * set_filter, modify_attributes, each with and without the group flag),
 * poll, fork (the child runs, may open events and exec), prctl to disable
 * and enable its events, CPU affinity changes, and (root workers) writes
 * of valid and invalid multiplexing intervals to the PMUs' sysfs files.
 *
 * Exit status: 0 when the time ran out with every worker making progress,
 * 2 on a stall, 1 on a usage or setup error. The last line says which,
 * with the seed and the operations per minute.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PMUS	64
#define MAX_FIELDS	32
#define MAX_NAMED	64
#define MAX_TP		512
#define MAX_EVENTS	48
#define MAX_WORKERS	16
#define MAX_MODULES	8

enum op {
	OP_OPEN, OP_CLOSE, OP_READ, OP_MMAP, OP_IOCTL, OP_POLL, OP_FORK,
	OP_PRCTL, OP_AFFINITY, OP_SYSFS, OP_WORK, OP_MODULE, NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"open", "close", "read", "mmap", "ioctl", "poll", "fork", "prctl",
	"affinity", "sysfs", "work", "module",
};

/* One bit range of a PMU's format: "config1:0-15" or "config:8,12-13" */
struct field {
	char name[256];
	int word;		/* 0: config, 1: config1, 2: config2 */
	int nr_bits;
	unsigned char bit[64];
};

struct named {
	__u64 config[3];
};

struct pmu {
	char name[64];
	__u32 type;
	int nr_fields, nr_named;
	struct field field[MAX_FIELDS];
	struct named named[MAX_NAMED];
};

/* What the workers share with the parent (MAP_SHARED) */
struct progress {
	volatile unsigned long ops;
	volatile unsigned long opens, opens_ok;
	volatile int pid;
	volatile int op;	/* what it does now */
	volatile unsigned long by_op[NR_OPS];
	volatile unsigned long open_errno[160];
};

static struct pmu pmus[MAX_PMUS];
static int nr_pmus;
static __u64 tracepoints[MAX_TP];
static int nr_tp;
static char modules[MAX_MODULES][64];
static int nr_modules;
static struct progress *progress;
static int nr_cpus;
static volatile int breakpoint_target;
static int stop_one;		/* -X */
static int all_unprivileged;	/* -U */
static unsigned int max_rate = 1000;	/* perf_event_max_sample_rate */

struct event {
	int fd;
	void *map;
	size_t map_len;
	int writable;		/* PROT_WRITE: the reader moves data_tail */
	__u32 type;
};

/* xorshift64*: small, fast, and the same on every architecture */
static __u64 rng_state;

static __u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int percent)
{
	return below(100) < percent;
}

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	/* One write per line: the workers' lines do not interleave */
	if (write(STDOUT_FILENO, line, n) < 0)
		return;
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

/* "config1:0-15,32" into @f */
static int parse_field(struct field *f, const char *name, const char *spec)
{
	const char *p;

	snprintf(f->name, sizeof(f->name), "%s", name);
	if (!strncmp(spec, "config2:", 8))
		f->word = 2;
	else if (!strncmp(spec, "config1:", 8))
		f->word = 1;
	else if (!strncmp(spec, "config:", 7))
		f->word = 0;
	else
		return -1;
	p = strchr(spec, ':') + 1;
	f->nr_bits = 0;
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return -1;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (; lo <= hi && lo < 64 && f->nr_bits < 64; lo++)
			f->bit[f->nr_bits++] = lo;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			break;
	}
	return f->nr_bits ? 0 : -1;
}

static struct field *find_field(struct pmu *pmu, const char *name)
{
	for (int i = 0; i < pmu->nr_fields; i++)
		if (!strcmp(pmu->field[i].name, name))
			return &pmu->field[i];
	return NULL;
}

/* Put @value into @f's bits of @config */
static void set_field(__u64 *config, const struct field *f, __u64 value)
{
	for (int i = 0; i < f->nr_bits; i++) {
		__u64 bit = 1ULL << f->bit[i];

		if (value & (1ULL << i))
			config[f->word] |= bit;
		else
			config[f->word] &= ~bit;
	}
}

/* "event=0x11,umask=2" (a file in events/) with @pmu's formats */
static int parse_named(struct pmu *pmu, const char *text, struct named *n)
{
	char copy[256], *save = NULL, *term;

	memset(n, 0, sizeof(*n));
	snprintf(copy, sizeof(copy), "%s", text);
	for (term = strtok_r(copy, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(term, '=');
		struct field *f;
		__u64 value = 1;

		if (eq) {
			*eq = 0;
			value = strtoull(eq + 1, NULL, 0);
		}
		f = find_field(pmu, term);
		if (!f)
			return -1;	/* "?" parameters and the like */
		set_field(n->config, f, value);
	}
	return 0;
}

static void load_pmu(const char *dir, const char *name)
{
	struct pmu *pmu = &pmus[nr_pmus];
	char path[512], text[256];
	struct dirent *d;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%s/type", dir, name);
	if (read_text(path, text, sizeof(text)))
		return;
	memset(pmu, 0, sizeof(*pmu));
	snprintf(pmu->name, sizeof(pmu->name), "%s", name);
	pmu->type = strtoul(text, NULL, 0);

	snprintf(path, sizeof(path), "%s/%s/format", dir, name);
	dp = opendir(path);
	while (dp && (d = readdir(dp)) && pmu->nr_fields < MAX_FIELDS) {
		char file[1024];

		if (d->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
		if (!read_text(file, text, sizeof(text)) &&
		    !parse_field(&pmu->field[pmu->nr_fields], d->d_name, text))
			pmu->nr_fields++;
	}
	if (dp)
		closedir(dp);

	snprintf(path, sizeof(path), "%s/%s/events", dir, name);
	dp = opendir(path);
	while (dp && (d = readdir(dp)) && pmu->nr_named < MAX_NAMED) {
		char file[1024];

		if (d->d_name[0] == '.' || strchr(d->d_name, '.'))
			continue;	/* .scale, .unit */
		snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
		if (!read_text(file, text, sizeof(text)) &&
		    !parse_named(pmu, text, &pmu->named[pmu->nr_named]))
			pmu->nr_named++;
	}
	if (dp)
		closedir(dp);
	nr_pmus++;
}

static int listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

static void load_pmus(const char *only)
{
	const char *dir = "/sys/bus/event_source/devices";
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp)) && nr_pmus < MAX_PMUS) {
		if (d->d_name[0] == '.' || (only && !listed(only, d->d_name)))
			continue;
		load_pmu(dir, d->d_name);
	}
	if (dp)
		closedir(dp);
}

/* Tracepoint ids from tracefs: events/SYSTEM/EVENT/id */
static void load_tracepoints(void)
{
	static const char * const roots[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};

	for (unsigned int r = 0; r < 2 && !nr_tp; r++) {
		DIR *sys = opendir(roots[r]);
		struct dirent *s;

		while (sys && (s = readdir(sys)) && nr_tp < MAX_TP) {
			char path[512], text[64];
			struct dirent *e;
			DIR *ev;

			if (s->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", roots[r], s->d_name);
			ev = opendir(path);
			while (ev && (e = readdir(ev)) && nr_tp < MAX_TP) {
				char idp[800];

				if (e->d_name[0] == '.')
					continue;
				snprintf(idp, sizeof(idp), "%s/%s/id", path, e->d_name);
				if (!read_text(idp, text, sizeof(text)))
					tracepoints[nr_tp++] = strtoull(text, NULL, 0);
			}
			if (ev)
				closedir(ev);
		}
		if (sys)
			closedir(sys);
	}
}

static __u64 random_period(void)
{
	switch (below(4)) {
	case 0:
		return 1 + below(8);		/* as small as it gets */
	case 1:
		return 1 + below(10000);
	case 2:
		return 100000 + below(10000000);
	default:
		return rnd() >> below(64);
	}
}

static void random_config(struct perf_event_attr *attr, struct pmu **pmu_out)
{
	struct pmu *pmu;

	*pmu_out = NULL;
	switch (below(10)) {
	case 0:
		attr->type = PERF_TYPE_HARDWARE;
		attr->config = below(PERF_COUNT_HW_MAX + 1);
		return;
	case 1:
		attr->type = PERF_TYPE_HW_CACHE;
		attr->config = below(PERF_COUNT_HW_CACHE_MAX) |
			       below(PERF_COUNT_HW_CACHE_OP_MAX) << 8 |
			       below(PERF_COUNT_HW_CACHE_RESULT_MAX) << 16;
		return;
	case 2:
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = below(PERF_COUNT_SW_MAX + 1);
		return;
	case 3:
		if (!nr_tp)
			break;
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = tracepoints[below(nr_tp)];
		return;
	case 4:
		attr->type = PERF_TYPE_BREAKPOINT;
		attr->bp_type = chance(50) ? HW_BREAKPOINT_W : HW_BREAKPOINT_RW;
		if (chance(20))
			attr->bp_type = HW_BREAKPOINT_X;
		attr->bp_addr = attr->bp_type == HW_BREAKPOINT_X ?
				(__u64)(unsigned long)&random_period :
				(__u64)(unsigned long)&breakpoint_target;
		attr->bp_len = attr->bp_type == HW_BREAKPOINT_X ? sizeof(long) :
			       1UL << below(4);
		return;
	default:
		break;
	}
	if (!nr_pmus) {
		attr->type = PERF_TYPE_SOFTWARE;
		return;
	}
	pmu = &pmus[below(nr_pmus)];
	*pmu_out = pmu;
	attr->type = pmu->type;
	if (pmu->nr_named && chance(70)) {
		struct named *n = &pmu->named[below(pmu->nr_named)];

		attr->config = n->config[0];
		attr->config1 = n->config[1];
		attr->config2 = n->config[2];
	} else {
		__u64 config[3] = { 0 };

		for (int i = 0; i < pmu->nr_fields; i++)
			if (chance(50))
				set_field(config, &pmu->field[i],
					  chance(50) ? below(16) : rnd());
		attr->config = config[0];
		attr->config1 = config[1];
		attr->config2 = config[2];
	}
	if (chance(3))
		attr->config = rnd();	/* garbage, rarely */
}

static int perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group, unsigned long flags)
{
	return syscall(__NR_perf_event_open, attr, pid, cpu, group, flags);
}

struct worker {
	int id;
	struct progress *me;
	struct event ev[MAX_EVENTS];
	int nr_ev;
};

/*
 * Some work for the counters. The watched variable is written once in 256
 * iterations only: under TCG each write that a breakpoint event watches
 * costs a trap of about a millisecond, and a worker must not spend minutes
 * in one operation.
 */
static void busy(unsigned int loops)
{
	volatile unsigned int sink = 0;

	for (unsigned int i = 0; i < loops; i++) {
		sink += i;
		if (!(i & 255)) {
			breakpoint_target += i;	/* for the breakpoint events */
			getppid();
		}
	}
}

static void do_open(struct worker *w, pid_t child)
{
	struct perf_event_attr attr;
	unsigned long flags = 0;
	int group = -1, cpu = -1, fd;
	struct pmu *pmu;
	pid_t pid = 0;

	if (w->nr_ev == MAX_EVENTS)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.size = chance(95) ? sizeof(attr) : PERF_ATTR_SIZE_VER0 + 8 * below(8);
	random_config(&attr, &pmu);
	if (chance(50)) {
		if (chance(30)) {
			attr.freq = 1;
			/* Mostly within perf_event_max_sample_rate */
			attr.sample_freq = 1 + below(chance(80) ? max_rate : 100000);
		} else {
			attr.sample_period = random_period();
		}
		/* Mostly what tools ask for; sometimes anything */
		if (chance(75))
			attr.sample_type = rnd() & (PERF_SAMPLE_IP | PERF_SAMPLE_TID |
						    PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |
						    PERF_SAMPLE_ID | PERF_SAMPLE_CPU |
						    PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN |
						    PERF_SAMPLE_RAW | PERF_SAMPLE_IDENTIFIER |
						    PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_WEIGHT);
		else
			attr.sample_type = rnd() & (PERF_SAMPLE_MAX - 1);
		if (attr.sample_type & PERF_SAMPLE_BRANCH_STACK)
			attr.branch_sample_type = rnd() & ((PERF_SAMPLE_BRANCH_MAX << 1) - 1);
		if (attr.sample_type & PERF_SAMPLE_REGS_USER)
			attr.sample_regs_user = rnd();
		if (attr.sample_type & PERF_SAMPLE_REGS_INTR)
			attr.sample_regs_intr = rnd();
		if (attr.sample_type & PERF_SAMPLE_STACK_USER)
			attr.sample_stack_user = 8 * below(1024);
		attr.wakeup_events = below(4);
		if (chance(20)) {
			attr.watermark = 1;
			attr.wakeup_watermark = below(8192);
		}
	}
	attr.read_format = rnd() & 31;
	attr.disabled = chance(30);
	attr.inherit = chance(30);
	attr.pinned = chance(10);
	attr.exclusive = chance(5);
	attr.exclude_user = chance(15);
	attr.exclude_kernel = chance(40);
	attr.exclude_hv = chance(50);
	attr.exclude_idle = chance(10);
	attr.mmap = chance(20);
	attr.comm = chance(20);
	attr.task = chance(20);
	attr.sample_id_all = chance(50);
	attr.enable_on_exec = chance(10);
	attr.context_switch = chance(10);
	attr.inherit_stat = chance(5);
	attr.remove_on_exec = chance(5);
	attr.sigtrap = chance(2);	/* SIGTRAP is ignored by the worker */
	attr.precise_ip = chance(90) ? 0 : below(4);
	attr.clockid = CLOCK_MONOTONIC;
	attr.use_clockid = chance(10);
	attr.write_backward = chance(5);
	if (attr.sigtrap)
		attr.remove_on_exec = 1;

	switch (below(6)) {
	case 0:
		pid = -1;
		cpu = below(nr_cpus + 1);	/* one more: ENODEV or EINVAL */
		break;
	case 1:
		pid = child > 0 ? child : 0;
		break;
	case 2:
		pid = getppid();
		break;
	case 3:
		cpu = below(nr_cpus);
		break;
	default:
		break;
	}
	if (w->nr_ev && chance(30))
		group = w->ev[below(w->nr_ev)].fd;
	if (chance(50))
		flags |= PERF_FLAG_FD_CLOEXEC;
	if (chance(5))
		flags |= PERF_FLAG_FD_NO_GROUP;
	if (chance(3))
		flags |= PERF_FLAG_FD_OUTPUT;

	w->me->opens++;
	fd = perf_open(&attr, pid, cpu, group, flags);
	if (fd < 0) {
		if (errno > 0 && errno < 160)
			w->me->open_errno[errno]++;
		return;
	}
	w->me->opens_ok++;
	w->ev[w->nr_ev].fd = fd;
	w->ev[w->nr_ev].map = NULL;
	w->ev[w->nr_ev].type = attr.type;
	w->nr_ev++;
	(void)pmu;
}

static void drop_event(struct worker *w, int i)
{
	if (w->ev[i].map)
		munmap(w->ev[i].map, w->ev[i].map_len);
	close(w->ev[i].fd);
	w->ev[i] = w->ev[--w->nr_ev];
}

/* Read what the ring buffer holds, as a tool would, and free it */
static void drain(struct event *e)
{
	struct perf_event_mmap_page *pc = e->map;
	size_t data_len = e->map_len - getpagesize();
	unsigned char *data = (unsigned char *)e->map + getpagesize();
	__u64 head, tail, sum = 0;

	if (!data_len)
		return;
	head = __atomic_load_n(&pc->data_head, __ATOMIC_ACQUIRE);
	tail = pc->data_tail;
	for (unsigned int n = 0; tail < head && n < 4096; n++) {
		struct perf_event_header *h = (void *)(data + (tail % data_len));

		if (!h->size)
			break;
		sum += h->type;
		tail += h->size;
	}
	/* A read-only mapping is an overwrite buffer: no data_tail to move */
	if (e->writable && chance(90))
		__atomic_store_n(&pc->data_tail, head, __ATOMIC_RELEASE);
	(void)sum;
}

static void do_ioctl(struct worker *w)
{
	struct event *e = &w->ev[below(w->nr_ev)];
	unsigned long group = chance(30) ? PERF_IOC_FLAG_GROUP : 0;
	__u64 value;
	int r = 0;

	switch (below(11)) {
	case 0:
		r = ioctl(e->fd, PERF_EVENT_IOC_ENABLE, group);
		break;
	case 1:
		r = ioctl(e->fd, PERF_EVENT_IOC_DISABLE, group);
		break;
	case 2:
		r = ioctl(e->fd, PERF_EVENT_IOC_REFRESH, below(4));
		break;
	case 3:
		r = ioctl(e->fd, PERF_EVENT_IOC_RESET, group);
		break;
	case 4:
		value = random_period();
		r = ioctl(e->fd, PERF_EVENT_IOC_PERIOD, &value);
		break;
	case 5:
		r = ioctl(e->fd, PERF_EVENT_IOC_SET_OUTPUT,
			  chance(30) ? -1 : w->ev[below(w->nr_ev)].fd);
		break;
	case 6:
		r = ioctl(e->fd, PERF_EVENT_IOC_PAUSE_OUTPUT, below(2));
		break;
	case 7:
		r = ioctl(e->fd, PERF_EVENT_IOC_ID, &value);
		break;
	case 8:
		r = ioctl(e->fd, PERF_EVENT_IOC_SET_FILTER,
			  chance(50) ? "common_pid != 0" : "bogus &&");
		break;
	case 9: {
		struct perf_event_attr attr;

		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = PERF_TYPE_BREAKPOINT;
		attr.bp_type = HW_BREAKPOINT_W;
		attr.bp_addr = (__u64)(unsigned long)&breakpoint_target;
		attr.bp_len = 1 << below(4);
		attr.disabled = chance(50);
		r = ioctl(e->fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr);
		break;
	}
	default:
		r = ioctl(e->fd, PERF_EVENT_IOC_ENABLE, 0);
		busy(1000);
		break;
	}
	(void)r;
}

static void do_mmap(struct worker *w)
{
	struct event *e = &w->ev[below(w->nr_ev)];

	if (e->map) {
		drain(e);
		if (chance(30)) {
			munmap(e->map, e->map_len);
			e->map = NULL;
		}
		return;
	}
	e->map_len = (size_t)getpagesize() * (1 + (chance(10) ? 0 : 1u << below(5)));
	e->writable = chance(80);
	e->map = mmap(NULL, e->map_len, PROT_READ | (e->writable ? PROT_WRITE : 0),
		      MAP_SHARED, e->fd, 0);
	if (e->map == MAP_FAILED)
		e->map = NULL;
}

static void do_read(struct worker *w)
{
	struct event *e = &w->ev[below(w->nr_ev)];
	char buf[4096];

	if (read(e->fd, buf, chance(80) ? sizeof(buf) : below(64)) < 0)
		return;
}

static void do_poll(struct worker *w)
{
	struct pollfd p[MAX_EVENTS];
	int n = 0;

	for (int i = 0; i < w->nr_ev; i++, n++) {
		p[n].fd = w->ev[i].fd;
		p[n].events = POLLIN;
	}
	poll(p, n, below(3));
}

/*
 * A child: works a little, maybe opens an event of its own, maybe execs
 * (busybox true: enable_on_exec, remove_on_exec and the exec paths), and
 * exits within a few hundred milliseconds.
 */
static void do_fork(struct worker *w)
{
	__u64 pid_seed = rnd() | 1;
	pid_t pid = fork();

	if (pid < 0)
		return;
	if (!pid) {
		/* Its own sequence, not a copy of the worker's next choices */
		rng_state = rng_state * 0x9E3779B97F4A7C15ULL + pid_seed;
		busy(10000 + below(200000));
		if (chance(30))
			do_open(w, 0);
		if (chance(30)) {
			if (chance(50) && fork() == 0) {
				busy(5000);
				_exit(0);
			}
			execl("/bin/true", "true", (char *)NULL);
		}
		busy(below(50000));
		_exit(0);
	}
	if (chance(50))
		do_open(w, pid);	/* an event on the child, maybe too late */
	busy(below(20000));
	waitpid(pid, NULL, 0);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void do_affinity(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (chance(30)) {
		for (int i = 0; i < nr_cpus; i++)
			CPU_SET(i, &set);
	} else {
		CPU_SET(below(nr_cpus), &set);
	}
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Root workers: a PMU's multiplexing interval (perf_event_mux_interval_ms),
 * a valid value (1 to 20 ms) or one that must be refused.
 */
static void do_sysfs(void)
{
	static const char * const bad[] = { "0", "-1", "abc", "99999999999", "" };
	char path[600], value[32];
	struct pmu *pmu;
	int fd;

	if (!nr_pmus || geteuid())
		return;
	pmu = &pmus[below(nr_pmus)];
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/perf_event_mux_interval_ms",
		 pmu->name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	if (chance(80))
		snprintf(value, sizeof(value), "%u", 1 + below(20));
	else
		snprintf(value, sizeof(value), "%s", bad[below(5)]);
	if (write(fd, value, strlen(value)) < 0 && chance(1))
		say("soak: %s <- '%s': %s\n", path, value, strerror(errno));
	close(fd);
}

static void worker_loop(struct worker *w)
{
	for (;;) {
		unsigned int r = below(100);
		enum op op;

		if (r < 30)
			op = OP_OPEN;
		else if (r < 42)
			op = OP_CLOSE;
		else if (r < 52)
			op = OP_READ;
		else if (r < 60)
			op = OP_MMAP;
		else if (r < 78)
			op = OP_IOCTL;
		else if (r < 82)
			op = OP_POLL;
		else if (r < 88)
			op = OP_FORK;
		else if (r < 90)
			op = OP_PRCTL;
		else if (r < 93)
			op = OP_AFFINITY;
		else if (r < 94)
			op = OP_SYSFS;
		else
			op = OP_WORK;
		if (!w->nr_ev && op != OP_FORK && op != OP_AFFINITY && op != OP_WORK &&
		    op != OP_SYSFS)
			op = OP_OPEN;
		w->me->op = op;
		switch (op) {
		case OP_OPEN:
			do_open(w, 0);
			break;
		case OP_CLOSE:
			drop_event(w, below(w->nr_ev));
			if (chance(5))
				while (w->nr_ev)
					drop_event(w, 0);
			break;
		case OP_READ:
			do_read(w);
			break;
		case OP_MMAP:
			do_mmap(w);
			break;
		case OP_IOCTL:
			do_ioctl(w);
			break;
		case OP_POLL:
			do_poll(w);
			break;
		case OP_FORK:
			do_fork(w);
			break;
		case OP_PRCTL:
			prctl(chance(50) ? PR_TASK_PERF_EVENTS_DISABLE : PR_TASK_PERF_EVENTS_ENABLE);
			break;
		case OP_AFFINITY:
			do_affinity();
			break;
		case OP_SYSFS:
			do_sysfs();
			break;
		default:
			busy(below(100000));
			break;
		}
		w->me->by_op[op]++;
		w->me->ops++;
		if (stop_one && !w->id && w->me->ops == 100) {
			int fds[2];
			char c;

			/* A worker that stops making progress, on purpose */
			if (!pipe(fds) && read(fds[0], &c, 1) < 0)
				say("soak: worker 0: read: %s\n", strerror(errno));
		}
	}
}

/* Unload a module when nothing uses it, then load it again */
static void module_loop(struct progress *me)
{
	for (;;) {
		const char *m = modules[below(nr_modules)];
		char cmd[128];

		me->op = OP_MODULE;
		if (!syscall(__NR_delete_module, m, O_NONBLOCK) || errno == ENOENT) {
			usleep(below(200) * 1000);
			snprintf(cmd, sizeof(cmd), "modprobe %s", m);
			if (system(cmd))
				say("soak: modprobe %s failed\n", m);
		}
		me->by_op[OP_MODULE]++;
		me->ops++;
		me->op = OP_WORK;
		usleep((100 + below(2000)) * 1000);
	}
}

static void dump_stack_of(int pid)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	if (!read_text(path, buf, sizeof(buf)))
		say("soak: kernel stack of %d:\n%s\n", pid, buf);
	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	if (!read_text(path, buf, sizeof(buf)))
		say("soak: wchan of %d: %s\n", pid, buf);
}

static void sysrq(char c)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0) {
		say("soak: no sysrq %c: %s\n", c, strerror(errno));
		return;
	}
	if (write(fd, &c, 1) < 0)
		say("soak: sysrq %c: %s\n", c, strerror(errno));
	close(fd);
}

/* Every task's name, state and kernel stack, from /proc */
static void dump_all_stacks(void)
{
	DIR *dp = opendir("/proc");
	struct dirent *d;

	while (dp && (d = readdir(dp))) {
		char path[300], buf[4096];

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		if (read_text(path, buf, sizeof(buf)))
			continue;
		say("soak: task %.200s\n", buf);
		snprintf(path, sizeof(path), "/proc/%s/stack", d->d_name);
		if (!read_text(path, buf, sizeof(buf)))
			say("%s\n", buf);
	}
	if (dp)
		closedir(dp);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 0;
	double duration = 600, heartbeat = 30, stall = 120, start, last_beat;
	int nr_workers = 4, nr_procs, opt, status = 0;
	unsigned long last_ops[MAX_WORKERS + 1] = { 0 };
	double last_move[MAX_WORKERS + 1];
	const char *only = NULL;
	pid_t pids[MAX_WORKERS + 1];

	seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
	while ((opt = getopt(argc, argv, "s:d:w:m:p:H:S:UX")) != -1) {
		switch (opt) {
		case 's': {
			char *end;

			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end) {
				fprintf(stderr, "perf-soak: the seed is a decimal number, not '%s'\n", optarg);
				return 1;
			}
			break;
		}
		case 'd':
			duration = atof(optarg);
			break;
		case 'w':
			nr_workers = atoi(optarg);
			break;
		case 'm': {
			char *copy = strdup(optarg), *save = NULL, *m;

			for (m = strtok_r(copy, ",", &save); m && nr_modules < MAX_MODULES;
			     m = strtok_r(NULL, ",", &save))
				snprintf(modules[nr_modules++], sizeof(modules[0]), "%s", m);
			break;
		}
		case 'p':
			only = optarg;
			break;
		case 'H':
			heartbeat = atof(optarg);
			break;
		case 'S':
			stall = atof(optarg);
			break;
		case 'U':
			all_unprivileged = 1;
			break;
		case 'X':
			stop_one = 1;
			break;
		default:
			fprintf(stderr, "usage: perf-soak [-s SEED] [-d SECONDS] [-w WORKERS] [-m MODULE,...] [-p PMU,...] [-H SECONDS] [-S SECONDS] [-U] [-X]\n");
			return 1;
		}
	}
	if (nr_workers < 1 || nr_workers > MAX_WORKERS) {
		fprintf(stderr, "perf-soak: 1 to %d workers\n", MAX_WORKERS);
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	load_pmus(only);
	load_tracepoints();
	{
		char text[32];

		if (!read_text("/proc/sys/kernel/perf_event_max_sample_rate", text, sizeof(text)) &&
		    atoi(text) > 0)
			max_rate = atoi(text);
	}
	say("soak: seed %llu, %.0f s, %d workers, %d CPUs, %d PMUs, %d tracepoints, %d modules\n",
	    seed, duration, nr_workers, nr_cpus, nr_pmus, nr_tp, nr_modules);
	for (int i = 0; i < nr_pmus; i++)
		say("soak: pmu %s type %u, %d format fields, %d events\n", pmus[i].name,
		    pmus[i].type, pmus[i].nr_fields, pmus[i].nr_named);

	progress = mmap(NULL, sizeof(*progress) * (MAX_WORKERS + 1), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (progress == MAP_FAILED) {
		perror("perf-soak: mmap");
		return 1;
	}
	signal(SIGTRAP, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	nr_procs = nr_workers + (nr_modules ? 1 : 0);
	for (int i = 0; i < nr_procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("perf-soak: fork");
			return 1;
		}
		if (!pid) {
			struct worker *w = calloc(1, sizeof(*w));

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			rng_state = seed * 0x9E3779B97F4A7C15ULL + i + 1;
			if (!rng_state)
				rng_state = 1;
			w->id = i;
			w->me = &progress[i];
			w->me->pid = getpid();
			if (i == nr_workers)
				module_loop(w->me);
			/* Odd workers (-U: all): an unprivileged user */
			if (((i & 1) || all_unprivileged) &&
			    (setgroups(0, NULL) || setgid(65534) || setuid(65534))) {
				say("soak: worker %d cannot drop privileges: %s\n", i, strerror(errno));
				_exit(1);
			}
			/*
			 * A change of credentials clears both: without them its
			 * children could not be profiled (ptrace_may_access) and
			 * it would outlive perf-soak.
			 */
			prctl(PR_SET_DUMPABLE, 1);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			worker_loop(w);
		}
		pids[i] = pid;
	}

	start = last_beat = now();
	for (int i = 0; i < nr_procs; i++)
		last_move[i] = start;
	for (;;) {
		double t;
		int stalled = 0;

		sleep(1);
		t = now();
		for (int i = 0; i < nr_procs; i++) {
			if (progress[i].ops != last_ops[i]) {
				last_ops[i] = progress[i].ops;
				last_move[i] = t;
			} else if (t - last_move[i] >= stall) {
				stalled++;
			}
		}
		if (waitpid(-1, &status, WNOHANG) > 0) {
			say("soak: FAIL: a worker ended (status 0x%x), seed %llu\n", status, seed);
			status = 1;
			break;
		}
		if (stalled) {
			say("soak: STALL after %.0f s: %d worker(s) made no progress for %.0f s, seed %llu\n",
			    t - start, stalled, stall, seed);
			for (int i = 0; i < nr_procs; i++)
				if (t - last_move[i] >= stall) {
					say("soak: worker %d (pid %d) stuck in '%s' after %lu ops\n", i,
					    pids[i], op_names[progress[i].op], progress[i].ops);
					dump_stack_of(pids[i]);
				}
			dump_all_stacks();
			sysrq('l');
			status = 2;
			break;
		}
		if (t - last_beat >= heartbeat || t - start >= duration) {
			char line[400];
			int n = 0;

			for (int i = 0; i < nr_procs && n < (int)sizeof(line) - 40; i++)
				n += snprintf(line + n, sizeof(line) - n, " w%d=%lu/%s", i,
					      progress[i].ops, op_names[progress[i].op]);
			say("soak: %.0f s:%s\n", t - start, line);
			last_beat = t;
		}
		if (t - start >= duration) {
			/* The end is no excuse: a worker stuck now is a stall */
			for (int i = 0; i < nr_procs; i++)
				if (t - last_move[i] >= stall / 2) {
					say("soak: STALL at the end: worker %d (pid %d) made no progress for %.0f s, seed %llu\n",
					    i, pids[i], t - last_move[i], seed);
					dump_stack_of(pids[i]);
					status = 2;
				}
			if (status == 2)
				dump_all_stacks();
			break;
		}
	}

	{
		unsigned long ops = 0, opens = 0, ok = 0, by_op[NR_OPS] = { 0 };
		double minutes = (now() - start) / 60;
		char line[400];
		int n = 0;

		for (int i = 0; i < nr_procs; i++) {
			ops += progress[i].ops;
			opens += progress[i].opens;
			ok += progress[i].opens_ok;
			for (int o = 0; o < NR_OPS; o++)
				by_op[o] += progress[i].by_op[o];
		}
		for (int o = 0; o < NR_OPS; o++)
			n += snprintf(line + n, sizeof(line) - n, " %s=%lu", op_names[o], by_op[o]);
		say("soak: operations:%s\n", line);
		say("soak: %lu opens, %lu succeeded\n", opens, ok);
		n = 0;
		for (int e = 1; e < 160; e++) {
			unsigned long c = 0;

			for (int i = 0; i < nr_procs; i++)
				c += progress[i].open_errno[e];
			if (c && n < (int)sizeof(line) - 40)
				n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
					      strerrorname_np(e) ?: "?", c);
		}
		say("soak: failed opens by errno:%s\n", n ? line : " none");
		if (status == 2) {
			/* Stuck workers may never die: do not wait for them */
			say("soak: RESULT stall seed=%llu ops_per_min=%.0f\n", seed, ops / minutes);
			return 2;
		}
		for (int i = 0; i < nr_procs; i++)
			kill(pids[i], SIGKILL);
		/* Workers that do not die in 60 s are stuck in the kernel */
		for (int left = nr_procs, waited = 0; left; waited++) {
			while (left && waitpid(-1, NULL, WNOHANG) > 0)
				left--;
			if (!left)
				break;
			if (waited == 600) {
				say("soak: STALL: %d worker(s) still alive 60 s after SIGKILL, seed %llu\n",
				    left, seed);
				dump_all_stacks();
				say("soak: RESULT stall seed=%llu ops_per_min=%.0f\n", seed, ops / minutes);
				return 2;
			}
			usleep(100000);
		}
		say("soak: RESULT %s seed=%llu ops_per_min=%.0f\n", status ? "fail" : "pass",
		    seed, ops / minutes);
		return status ? 1 : 0;
	}
}
