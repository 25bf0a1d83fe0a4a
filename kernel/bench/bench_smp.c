/*
 * smp_<kind>: the scenario <kind> (its probe on bench_target) while every
 * other online CPU calls bench_target in a loop: all CPUs hit the same
 * probe at once. CPU 0's figure is the table row; each other CPU prints
 * its own cost per call (the call included) when the scenario ends, and
 * bench prints the ratio of CPU 0's overhead to <kind>'s one-CPU overhead.
 * Flat (ratio ~1) means the hit path writes no shared cache line.
 *
 * With one CPU online they measure what <kind> does. Under -icount (one
 * host thread runs every vCPU in turn) the TSC counts the instructions of
 * all CPUs, so the figures are not per CPU there; use them with KVM or on
 * hardware.
 */
#include "kernel/bench/bench.h"
#include "kernel/cpu.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/smp/smp.h"
#include "lib/format.h"
#include "lib/string.h"

extern const struct bench_scenario *const __bench_scenarios_start[], *const __bench_scenarios_end[];

struct ap_result {
	unsigned long calls;
	uint64_t cycles;
} __aligned(64);

static struct ap_result results[NR_CPUS];
static volatile int stop;
static const struct bench_scenario *base;

static notrace void hammer(void *arg)
{
	struct ap_result *r = &results[smp_processor_id()];
	uint64_t t0 = rdtsc();

	(void)arg;
	while (!stop) {
		for (int i = 0; i < 100; i++)
			bench_run_target();
		r->calls += 100;
	}
	r->cycles = rdtsc() - t0;
}

static const struct bench_scenario *find(const char *id)
{
	for (const struct bench_scenario *const *p = __bench_scenarios_start; p < __bench_scenarios_end; p++)
		if (!strcmp((*p)->id, id))
			return *p;
	return NULL;
}

static int start(const char *id)
{
	int err;

	base = find(id);
	if (!base)
		return -ENOENT;
	err = base->setup ? base->setup() : 0;
	if (err)
		return err;
	stop = 0;
	memset(results, 0, sizeof(results));
	for (int c = 1; c < nr_cpus; c++)
		smp_work_start(c, hammer, NULL);
	return 0;
}

static void finish(void)
{
	char per[24];

	stop = 1;
	for (int c = 1; c < nr_cpus; c++)
		smp_work_wait(c);
	for (int c = 1; c < nr_cpus; c++) {
		if (!results[c].calls)
			continue;
		bench_fixed(per, sizeof(per), (long long)(results[c].cycles * 1000 / results[c].calls));
		printk("    cpu %d: %lu calls at the same time, %s per call (call included)\n", c,
		       results[c].calls, per);
	}
	if (base->teardown)
		base->teardown();
}

#define SMP_SCENARIO(kind)								\
	static int smp_##kind##_setup(void) { return start(#kind); }			\
	static const struct bench_scenario smp_##kind = {				\
		.id = "smp_" #kind, .what = #kind " on every online CPU at once",	\
		.setup = smp_##kind##_setup, .run = bench_run_target, .teardown = finish,	\
	};										\
	BENCH_SCENARIO(smp_##kind)

SMP_SCENARIO(kprobe_boost);
SMP_SCENARIO(optprobe);
SMP_SCENARIO(fentry_hook);
SMP_SCENARIO(rethook);
