/*
 * The in-kernel benchmark (mode=bench). Each scenario installs some probe
 * machinery, then the framework times its run() - one hit: normally one call
 * of bench_target() - in batches with the TSC, interrupts off, and reports
 * min / median / p99 of the per-batch averages and the overhead over the
 * unprobed call (scenario "call").
 *
 * Adding a scenario (any file):
 *
 *	static int setup(void) { return kprobe_register(&kp); }   // 0 or -errno
 *	static void teardown(void) { kprobe_unregister(&kp); }
 *	static const struct bench_scenario kprobe_boost = {
 *		.id = "kprobe_boost", .what = "kprobe, boosted",
 *		.setup = setup, .run = bench_run_target, .teardown = teardown,
 *	};
 *	BENCH_SCENARIO(kprobe_boost);
 *
 * Scenarios that probe bench_target and use bench_run_target as run() share
 * the harness with "call", so the harness cost cancels in the overhead. Under
 * QEMU -icount shift=0 (kopt.icount) the TSC counts guest instructions and
 * the figures are exact.
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H
#include "kernel/compiler.h"

struct bench_scenario {
	const char *id;		/* stable id: "call", "int3_floor", "scale_probes_100" */
	const char *what;	/* a few words for BENCH lines and bench.md */
	int (*setup)(void);	/* optional: 0, or -errno and the scenario fails */
	void (*run)(void);	/* one hit */
	void (*teardown)(void);	/* optional: undo setup */
	/*
	 * Target calls per hit (0 means 1). Results are then per call, e.g.
	 * per recursion level for bench_recurse(1000).
	 */
	unsigned levels;
	/*
	 * Nonzero: the overhead is taken against run() itself, timed before
	 * setup(), instead of against "call" (a recursion probed per level
	 * compared with the same recursion unprobed).
	 */
	int own_baseline;
	/* With own_baseline: time this instead of run() as the baseline. */
	void (*baseline)(void);
};

#define BENCH_SCENARIO(s) \
	static const struct bench_scenario *const bench_ptr_##s __used \
	__attribute__((section(".bench_scenarios"))) = &s

/* kernel/bench/bench_targets.c: compiled with -pg, so each has an fentry site. */
int bench_target(int x);
unsigned long bench_recurse(unsigned long depth);	/* depth + 1 nested calls */
extern volatile int bench_sink;

/* One call of bench_target(): the run() of "call" and of every probe on it. */
void bench_run_target(void);

/*
 * Run every scenario whose id matches the glob ("call" always runs: it is
 * the baseline), print the table on every console and BENCH lines on
 * serial. Returns the number of scenarios that failed.
 */
int bench_run_all(const char *filter);

/* Statistics over per-batch averages (exposed for the self-tests). */
struct bench_stats {
	long long min, median, p99;	/* thousandths of a unit */
};
void bench_stats(long long *v, unsigned n, struct bench_stats *out);
/* Fixed point: milli = 12345 -> "12.345"; returns buf. */
char *bench_fixed(char *buf, unsigned size, long long milli);
/* s as a JSON string body (quotes, backslashes, control bytes escaped); returns buf. */
const char *bench_json_escape(char *buf, unsigned size, const char *s);

/* The results of the last bench_run_all(), in table order. */
struct bench_result {
	const char *id;
	long long median, overhead;	/* thousandths of a unit per hit */
	int failed;			/* setup failed: no figures */
};
const struct bench_result *bench_results(unsigned *n);
/* Unit of the figures: "instructions" (icount) or "cycles". */
const char *bench_unit(void);

/*
 * kernel/bench/bench_qr.c: the results of the last run as QR codes on the
 * screen console, one after the other, a key (keyboard or COM1) for the
 * next; the text comes back after the last. Nothing when there is no screen.
 */
void bench_qr_show(void);

#endif
