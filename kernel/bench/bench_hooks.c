/*
 * Benchmark scenarios for the users of call_to_exception_trampoline: fentry
 * hooks, the function tracer, return hooks, the function graph tracer, and
 * all of them on one function. All probe bench_target and share the "call"
 * harness, so the overhead is the hook's cost alone.
 */
#include "kernel/bench/bench.h"
#include "kernel/probes/fentry.h"
#include "kernel/trace/fgraph.h"
#include "kernel/trace/profile.h"
#include "kernel/probes/rethook.h"
#include "kernel/trace/trace.h"

/*
 * The floor every call-based kind pays: bench_target's site calls its stub,
 * which enters the trampoline with a handler that only goes on (no users,
 * no recursion guard) - as int3_floor is for the trap-based kinds.
 */
static int trampoline_floor_setup(void)
{
	return fentry_set_floor((unsigned long)bench_target, 1);
}

static void trampoline_floor_teardown(void)
{
	fentry_set_floor((unsigned long)bench_target, 0);
}

static const struct bench_scenario trampoline_floor = {
	.id = "trampoline_floor", .what = "site stub -> trampoline -> empty handler -> back",
	.setup = trampoline_floor_setup, .run = bench_run_target, .teardown = trampoline_floor_teardown,
};
BENCH_SCENARIO(trampoline_floor);

static void empty_callback(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
			   struct pt_regs *regs)
{
	(void)ip;
	(void)parent_ip;
	(void)ops;
	(void)regs;
}

static struct ftrace_ops empty_ops = { .func = empty_callback, .regs_const = 1 };

static int fentry_hook_setup(void)
{
	return ftrace_ops_register_ip(&empty_ops, (unsigned long)bench_target);
}

static void fentry_hook_teardown(void)
{
	ftrace_ops_unregister(&empty_ops);
}

static const struct bench_scenario fentry_hook = {
	.id = "fentry_hook", .what = "fentry hook, empty callback, full regs",
	.setup = fentry_hook_setup, .run = bench_run_target, .teardown = fentry_hook_teardown,
};
BENCH_SCENARIO(fentry_hook);

static int ftrace_function_setup(void)
{
	trace_reset();
	return function_tracer_start("bench_target");
}

static void ftrace_function_teardown(void)
{
	function_tracer_stop();
	trace_reset();
}

static const struct bench_scenario ftrace_function = {
	.id = "ftrace_function", .what = "function tracer recording",
	.setup = ftrace_function_setup, .run = bench_run_target, .teardown = ftrace_function_teardown,
};
BENCH_SCENARIO(ftrace_function);

static void empty_return(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	(void)regs;
	(void)data;
}

static struct rethook target_rethook = { .symbol = "bench_target", .handler = empty_return, .regs_const = 1 };

static int rethook_setup(void)
{
	return rethook_register(&target_rethook);
}

static void rethook_teardown(void)
{
	rethook_unregister(&target_rethook);
}

static const struct bench_scenario rethook = {
	.id = "rethook", .what = "return hook, empty handler",
	.setup = rethook_setup, .run = bench_run_target, .teardown = rethook_teardown,
};
BENCH_SCENARIO(rethook);

static int fgraph_setup(void)
{
	trace_reset();
	return fgraph_start("bench_target", 0);
}

static void fgraph_teardown(void)
{
	fgraph_stop();
	trace_reset();
}

static const struct bench_scenario fgraph = {
	.id = "fgraph", .what = "function graph tracer recording",
	.setup = fgraph_setup, .run = bench_run_target, .teardown = fgraph_teardown,
};
BENCH_SCENARIO(fgraph);

static int profile_setup(void)
{
	return profile_start("bench_target");
}

static const struct bench_scenario profile = {
	.id = "profile", .what = "function profiler counting",
	.setup = profile_setup, .run = bench_run_target, .teardown = profile_stop,
};
BENCH_SCENARIO(profile);

static int rethook_fgraph_setup(void)
{
	int err = rethook_setup();

	if (!err && (err = fgraph_setup()) != 0)
		rethook_teardown();
	return err;
}

static void rethook_fgraph_teardown(void)
{
	fgraph_teardown();
	rethook_teardown();
}

static const struct bench_scenario rethook_fgraph = {
	.id = "rethook_fgraph", .what = "return hook + function graph, one shadow frame",
	.setup = rethook_fgraph_setup, .run = bench_run_target, .teardown = rethook_fgraph_teardown,
};
BENCH_SCENARIO(rethook_fgraph);

static struct rethook recurse_rethook = { .symbol = "bench_recurse", .handler = empty_return, .regs_const = 1 };

static void recurse_1000(void)
{
	bench_recurse(999);
}

static int recursion_setup(void)
{
	return rethook_register(&recurse_rethook);
}

static void recursion_teardown(void)
{
	rethook_unregister(&recurse_rethook);
}

static const struct bench_scenario recursion_1000 = {
	.id = "recursion_1000", .what = "1,000-deep recursion, every level return-hooked",
	.setup = recursion_setup, .run = recurse_1000, .teardown = recursion_teardown,
	.levels = 1000, .own_baseline = 1,
};
BENCH_SCENARIO(recursion_1000);
