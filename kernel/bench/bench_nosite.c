/*
 * bench_target's twin without an fentry site (this file is in
 * kernel/notrace.list): the baseline of the fentry_nop scenario, which
 * measures what a disabled site costs - one 5-byte nop.
 */
#include "kernel/bench/bench.h"

__noinline int bench_target_nosite(int x)
{
	return x * 3 + 1;
}

static void run_nosite(void)
{
	bench_sink = bench_target_nosite(bench_sink);
}

static const struct bench_scenario fentry_nop = {
	.id = "fentry_nop", .what = "disabled fentry site (a 5-byte nop) vs no site",
	.run = bench_run_target, .own_baseline = 1, .baseline = run_nosite,
};
BENCH_SCENARIO(fentry_nop);
