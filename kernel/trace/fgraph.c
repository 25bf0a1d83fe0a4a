/*
 * Function graph and function tracers: users of the fentry hooks and the
 * shadow stack that write struct trace_record into the trace buffer.
 * Not compiled with -pg.
 */
#include "kernel/trace/fgraph.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/probes/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/trace/trace.h"
#include "kernel/tsc.h"
#include "lib/string.h"


static unsigned graph_depth, graph_max_depth;
static unsigned long graph_functions;

struct graph_data {
	uint64_t entry_tsc;
	unsigned long depth;
};

static __noprobe int graph_entry(struct shadow_user *u, unsigned long func,
				 struct pt_regs *regs, unsigned long *data)
{
	struct graph_data *d = (struct graph_data *)data;
	unsigned long flags;
	struct trace_record *rec;

	(void)u;
	(void)regs;
	if (graph_max_depth && graph_depth >= graph_max_depth)
		return 0;
	d->depth = graph_depth++;
	d->entry_tsc = rdtsc();
	rec = trace_record_begin(&flags);
	if (rec) {
		*rec = (struct trace_record){ .type = TRACE_GRAPH_ENTRY, .ip = func,
					      .depth = (uint16_t)d->depth, .ts = d->entry_tsc };
		trace_record_end(rec, flags);
	}
	return 1;
}

static __noprobe void graph_return(struct shadow_user *u, unsigned long func,
				   struct pt_regs *regs, unsigned long *data)
{
	struct graph_data *d = (struct graph_data *)data;
	uint64_t ts = rdtsc();
	uint64_t ns = tsc_cycles_to_ns(ts - d->entry_tsc);
	unsigned long flags;
	struct trace_record *rec = trace_record_begin(&flags);

	(void)u;
	(void)regs;
	if (rec) {
		*rec = (struct trace_record){ .type = TRACE_GRAPH_RETURN, .ip = func,
					      .depth = (uint16_t)d->depth, .ts = ts, .duration_ns = ns };
		trace_record_end(rec, flags);
	}
	/* Resynchronise after calls that never returned (their frames were dropped). */
	graph_depth = (unsigned)d->depth;
}

static struct shadow_user graph_user = {
	.name = "function_graph",
	.entry = graph_entry,
	.ret = graph_return,
	.data_words = sizeof(struct graph_data) / sizeof(unsigned long),
	.regs_const = 1,
	.id = -1,
};

static int graphable(unsigned long addr, const char *glob)
{
	unsigned long off;
	const char *name = sym_lookup(addr, &off, NULL);

	return name && off == 0 && (!glob || glob_match(glob, name));
}

int fgraph_start(const char *glob, unsigned max_depth)
{
	int err = shadow_user_register(&graph_user);

	if (err)
		return err;
	graph_depth = 0;
	graph_max_depth = max_depth;
	graph_functions = 0;
	for (unsigned long i = 0; i < fentry_site_count(); i++) {
		unsigned long addr = fentry_site_addr(i);

		if (graphable(addr, glob) && fentry_add_shadow_user(addr, graph_user.id) == 0)
			graph_functions++;
	}
	if (!graph_functions) {
		shadow_user_unregister(&graph_user);
		return -ENOENT;
	}
	return 0;
}

void fgraph_stop(void)
{
	int id = graph_user.id;

	if (id < 0)
		return;
	/* Silent first: unpatching calls traced code (text_poke's memcpy). */
	shadow_user_unregister(&graph_user);
	for (unsigned long i = 0; i < fentry_site_count(); i++)
		fentry_remove_shadow_user(fentry_site_addr(i), id);
}

unsigned long fgraph_functions(void)
{
	return graph_functions;
}

void fgraph_print(void)
{
	trace_print_graph(trace_out_printk, NULL);
}

static __noprobe void function_trace_call(unsigned long ip, unsigned long parent_ip,
					  struct ftrace_ops *ops, struct pt_regs *regs)
{
	unsigned long flags;
	struct trace_record *rec = trace_record_begin(&flags);

	(void)ops;
	(void)regs;
	if (!rec)
		return;
	*rec = (struct trace_record){ .type = TRACE_FUNCTION, .ip = ip, .parent_ip = parent_ip };
	rec->ts = rdtsc();
	trace_record_end(rec, flags);
}

static struct ftrace_ops function_ops = { .func = function_trace_call, .regs_const = 1 };

int function_tracer_start(const char *glob)
{
	function_ops.filter = glob;
	return ftrace_ops_register(&function_ops);
}

void function_tracer_stop(void)
{
	ftrace_ops_unregister(&function_ops);
}
