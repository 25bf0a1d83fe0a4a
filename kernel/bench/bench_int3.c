/*
 * int3_floor: an int3 whose #BP hook does nothing but claim it, in front of
 * the same call "call" times. Its overhead is the bare int3 -> entry ->
 * trap_dispatch -> iret round trip: the floor under every trap-based probe.
 */
#include "kernel/bench/bench.h"
#include "kernel/traps.h"

extern const char bench_int3_site[];	/* the int3 inside bench_int3_run */

/* The CPU reports the address after the int3, where we resume as is. */
static __noprobe int int3_floor_hook(struct pt_regs *regs)
{
	return regs->ip == (unsigned long)bench_int3_site + 1;
}

static struct trap_hook hook = { .handler = int3_floor_hook };

/* bench_run_target with an int3 in front. __noinline: one copy of the label. */
static __noprobe __noinline void bench_int3_run(void)
{
	asm volatile(".globl bench_int3_site\nbench_int3_site: int3" ::: "memory");
	bench_sink = bench_target(bench_sink);
}

static int int3_floor_setup(void)
{
	return trap_hook_register(VEC_BP, &hook);
}

static void int3_floor_teardown(void)
{
	trap_hook_unregister(VEC_BP, &hook);
}

static const struct bench_scenario int3_floor = {
	.id = "int3_floor",
	.what = "int3 claimed by an empty #BP hook",
	.setup = int3_floor_setup,
	.run = bench_int3_run,
	.teardown = int3_floor_teardown,
};
BENCH_SCENARIO(int3_floor);
