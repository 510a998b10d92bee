struct td_hotplug {
	struct perf_task_data_walk_test	test;
	struct completion		done;
	unsigned int			cpu;
	int				stops;
	int				down, up;	/* remove_cpu(), add_cpu() */
	bool				in_time;
};

static int td_hotplug_fn(void *arg)
{
	struct td_hotplug *h = arg;

	h->down = remove_cpu(h->cpu);
	h->up = h->down ? 0 : add_cpu(h->cpu);
	complete(&h->done);
	return 0;
}

/* At the first pause of the sweep, take a CPU down and up, and wait. */
static void td_hotplug_paused(struct perf_task_data_walk_test *test,
			      struct task_struct *cursor)
{
	struct td_hotplug *h = container_of(test, struct td_hotplug, test);
	struct task_struct *k;

	if (h->stops++)
		return;
	k = kthread_run(td_hotplug_fn, h, "perf_td_hotplug");
	if (IS_ERR(k)) {
		h->down = PTR_ERR(k);
		complete(&h->done);
		return;
	}
	h->in_time = wait_for_completion_timeout(&h->done, 30 * HZ);
}

/*
 * A CPU goes offline and online again while a PMU's unregistration drops
 * its per-task data: perf's hotplug callbacks take pmus_lock, which the
 * unregistration must not hold across its pass over all threads (nor
 * across its grace periods), or the hotplug waits for all of it.
 */
static void td_hotplug_during_unregister(struct kunit *test)
{
	/* Static: the hotplug thread may outlive a failed case's wait. */
	static struct td_hotplug h;
	struct pmu *pmu;
	int i;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CPU hotplug and two online CPUs");

	h = (struct td_hotplug) {
		.cpu = cpumask_last(cpu_online_mask),
		.test.batch = 1,
		.test.paused = td_hotplug_paused,
	};
	init_completion(&h.done);
	if (!h.cpu || !cpu_is_hotpluggable(h.cpu))
		kunit_skip(test, "CPU %u cannot go offline", h.cpu);

	pmu = kunit_kzalloc(test, sizeof(*pmu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pmu);
	td_tmp_pmu_init(pmu);
	KUNIT_ASSERT_EQ(test, perf_pmu_register(pmu, "perf_td_hotplug", -1), 0);
	KUNIT_ASSERT_GE(test, pmu->task_data_slot, 0);
	/* Some threads for the sweep to pause at */
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_NOT_NULL(test, td_thread(test, NULL, NULL));

	h.test.slot = pmu->task_data_slot;
	WRITE_ONCE(perf_task_data_walk_test, &h.test);
	perf_pmu_unregister(pmu);
	WRITE_ONCE(perf_task_data_walk_test, NULL);
	/* The hotplug thread is done before the case ends, in time or not. */
	wait_for_completion(&h.done);

	KUNIT_EXPECT_GT_MSG(test, h.stops, 0, "the sweep did not pause");
	KUNIT_EXPECT_TRUE_MSG(test, h.in_time,
			      "CPU %u hotplug waited for the unregistration", h.cpu);
	KUNIT_EXPECT_EQ(test, h.down, 0);
	KUNIT_EXPECT_EQ(test, h.up, 0);
	KUNIT_EXPECT_TRUE(test, cpu_online(h.cpu));
}

