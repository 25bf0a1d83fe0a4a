/*
 * probe_event: a probe event on bench_target's entry with one argument, as a
 * person would define it (`p:bench_ev bench_target x=$arg0:s32`): the fentry
 * hook, fetching the argument, and the record in the trace buffer. Linux's
 * counterpart is a kprobe_event enabled through tracefs.
 */
#include "kernel/bench/bench.h"
#include "kernel/trace/probe_events.h"
#include "kernel/trace/trace.h"

static struct probe_event *bench_ev;

static int probe_event_setup(void)
{
	char err[160];

	trace_reset();
	return probe_event_create("p:bench_ev bench_target x=$arg0:s32", &bench_ev, err, sizeof(err));
}

static void probe_event_teardown(void)
{
	probe_event_delete(bench_ev);
	trace_reset();
}

static const struct bench_scenario probe_event = {
	.id = "probe_event", .what = "probe event with one argument, recorded in the trace buffer",
	.setup = probe_event_setup, .run = bench_run_target, .teardown = probe_event_teardown,
};
BENCH_SCENARIO(probe_event);
