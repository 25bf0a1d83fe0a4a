/*
 * Self-tests of the call_to_exception_trampoline users: fentry hooks, return
 * hooks, the function-graph tracer, the shared shadow stack, and the
 * unwinder through trampoline frames. This file is compiled with -pg: its
 * hooktest_* functions have fentry sites.
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/fentry_stubs.h"
#include "kernel/trace/fgraph.h"
#include "kernel/kallsyms.h"
#include "kernel/ktest.h"
#include "kernel/probes/rethook.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/trace/trace.h"
#include "kernel/traps.h"
#include "kernel/unwind.h"
#include "lib/format.h"
#include "lib/ringbuf.h"
#include "kernel/errno.h"
#include "lib/string.h"

void call_to_exception_trampoline(void);
extern const char fentry_callers[];	/* fentry_stub.S: one stub per site */
void optprobe_entry(void);

/* ---- targets (noinline, traced) ---- */

__noinline int hooktest_add(int a, int b)
{
	barrier();
	return a + b;
}

__noinline int hooktest_glob_one(int x) { barrier(); return x + 1; }
__noinline int hooktest_glob_two(int x) { barrier(); return x + 2; }

__noinline unsigned long hooktest_fact(unsigned long n)
{
	unsigned long r;

	if (n <= 1)
		return 1;
	r = hooktest_fact(n - 1);
	barrier();	/* no tail recursion: every level is a real call */
	return n * r;
}

__noinline unsigned long hooktest_depth(unsigned long n)
{
	unsigned long r;

	if (n == 0)
		return 0;
	r = hooktest_depth(n - 1);
	barrier();
	return 1 + r;
}

int hooktest_is_odd(unsigned n);
__noinline int hooktest_is_even(unsigned n) { barrier(); return n == 0 ? 1 : hooktest_is_odd(n - 1); }
__noinline int hooktest_is_odd(unsigned n) { barrier(); return n == 0 ? 0 : hooktest_is_even(n - 1); }

static struct arch_jmp_buf escape;

__noinline void hooktest_escape_inner(int n)
{
	barrier();
	if (n < 0)
		return;
	if (n == 0)
		arch_longjmp(&escape, 1);
	hooktest_escape_inner(n - 1);
	barrier();
}

__noinline int hooktest_leaf(int x) { barrier(); return x * 3; }
__noinline int hooktest_middle(int x) { barrier(); return hooktest_leaf(x) + 1; }
__noinline int hooktest_outer(int x) { barrier(); return hooktest_middle(x) + 1; }

/* ---- fentry ---- */

struct seen {
	unsigned long ip, parent_ip, regs_ip;
	int calls;
	int through_trampoline;
};

/* The callback's stack goes through a pt_regs built by the trampoline. */
static int find_trampoline_return(unsigned long ip, const struct pt_regs *regs, void *ctx)
{
	(void)ip;
	if (regs && regs->vector == PT_VECTOR_CALL) {
		*(int *)ctx = 1;
		return 1;
	}
	return 0;
}

static void record_call(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
			struct pt_regs *regs)
{
	struct seen *s = ops->private;

	s->ip = ip;
	s->parent_ip = parent_ip;
	s->regs_ip = regs->ip;
	s->calls++;
	unwind_walk((unsigned long)__builtin_return_address(0),
		    (unsigned long)__builtin_frame_address(0), find_trampoline_return,
		    &s->through_trampoline);
}

static int site_is_nop(void *fn)
{
	static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	return memcmp(fn, nop5, 5) == 0;
}

static void test_fentry_basic(struct ktest *t)
{
	struct seen s = { 0 };
	struct ftrace_ops ops = { .func = record_call, .private = &s };
	unsigned long fn = (unsigned long)hooktest_add;

	KEXPECT(t, fentry_site_exists(fn));
	KEXPECT(t, site_is_nop(hooktest_add));
	KEXPECT_EQ(t, hooktest_add(2, 3), 5);
	KEXPECT_EQ(t, ftrace_ops_register_ip(&ops, fn), 0);
	KEXPECT(t, !site_is_nop(hooktest_add));
	KEXPECT_EQ(t, hooktest_add(20, 22), 42);
	KEXPECT_EQ(t, s.calls, 1);
	KEXPECT_EQ(t, s.ip, fn);
	KEXPECT_EQ(t, s.regs_ip, fn + FENTRY_CALL_SIZE);
	KEXPECT(t, s.through_trampoline);
	KEXPECT_EQ(t, sym_lookup(s.parent_ip, NULL, NULL) == sym_lookup((unsigned long)test_fentry_basic, NULL, NULL), 1);
	KEXPECT_EQ(t, ftrace_ops_register_ip(&ops, fn), -EEXIST);
	KEXPECT_EQ(t, ftrace_ops_unregister(&ops), 0);
	KEXPECT(t, site_is_nop(hooktest_add));
	KEXPECT_EQ(t, hooktest_add(1, 1), 2);
	KEXPECT_EQ(t, s.calls, 1);
	KEXPECT(t, ftrace_ops_register_ip(&ops, fn + 1) < 0);
}

/* A callback may change the arguments the function sees. */
static void change_first_arg(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
			     struct pt_regs *regs)
{
	(void)ip;
	(void)parent_ip;
	(void)ops;
	*regs_arg_ptr(regs, 0) = 100;
}

static void count_call(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
		       struct pt_regs *regs)
{
	(void)ip;
	(void)parent_ip;
	(void)regs;
	(*(int *)ops->private)++;
}

static void test_fentry_regs_and_users(struct ktest *t)
{
	int n1 = 0, n2 = 0;
	struct ftrace_ops change = { .func = change_first_arg };
	struct ftrace_ops c1 = { .func = count_call, .private = &n1 };
	struct ftrace_ops c2 = { .func = count_call, .private = &n2, .filter = "hooktest_glob_*" };

	KEXPECT_EQ(t, ftrace_ops_register_ip(&change, (unsigned long)hooktest_add), 0);
	KEXPECT_EQ(t, ftrace_ops_register_ip(&c1, (unsigned long)hooktest_add), 0);
	KEXPECT_EQ(t, hooktest_add(1, 2), 102);
	KEXPECT_EQ(t, n1, 1);
	KEXPECT_EQ(t, ftrace_ops_unregister(&change), 0);
	KEXPECT_EQ(t, hooktest_add(1, 2), 3);
	KEXPECT_EQ(t, n1, 2);
	KEXPECT_EQ(t, ftrace_ops_unregister(&c1), 0);
	KEXPECT_EQ(t, ftrace_ops_register(&c2), 0);
	KEXPECT_EQ(t, c2.nr_sites, 2);
	KEXPECT_EQ(t, hooktest_glob_one(1) + hooktest_glob_two(1), 5);
	KEXPECT_EQ(t, n2, 2);
	KEXPECT_EQ(t, ftrace_ops_unregister(&c2), 0);
	c2.filter = "no_such_function_*";
	KEXPECT(t, ftrace_ops_register(&c2) < 0);
	KEXPECT(t, !c2.registered);
}

/* Every traceable function hooked at once while real kernel work runs. */
static unsigned long all_hits;
static void count_all(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
		      struct pt_regs *regs)
{
	(void)ip;
	(void)parent_ip;
	(void)ops;
	(void)regs;
	all_hits++;
}

static unsigned long workload(void)
{
	char buf[64];
	unsigned long sum = 0;

	for (int i = 0; i < 20; i++) {
		snprintf(buf, sizeof(buf), "%d-%s-%lx", i, "x", sum);
		sum += strlen(buf) + (unsigned long)hooktest_fact(5) + (sym_lookup((unsigned long)workload, NULL, NULL) != NULL);
	}
	return sum;
}

static void test_fentry_everything(struct ktest *t)
{
	struct ftrace_ops all = { .func = count_all };
	struct fentry_stats st;
	unsigned long expect = workload(), got;

	all_hits = 0;
	KEXPECT_EQ(t, ftrace_ops_register(&all), 0);
	fentry_get_stats(&st);
	ktest_log(t, "%lu of %lu sites enabled", st.enabled, st.sites);
	KEXPECT(t, all.nr_sites + 20 > st.sites - st.bad_sites);
	got = workload();
	KEXPECT_EQ(t, ftrace_ops_unregister(&all), 0);
	KEXPECT_EQ(t, got, expect);
	KEXPECT(t, all_hits > 100);
	fentry_get_stats(&st);
	KEXPECT_EQ(t, st.enabled, 0);
}

static void test_fentry_churn(struct ktest *t)
{
	int n = 0, expect = 0;
	struct ftrace_ops c = { .func = count_call, .private = &n };

	for (int i = 0; i < 500; i++) {
		KEXPECT_EQ(t, ftrace_ops_register_ip(&c, (unsigned long)hooktest_add), 0);
		if (hooktest_add(i, 1) != i + 1)
			KEXPECT(t, 0);
		expect++;
		ftrace_ops_unregister(&c);
		if (hooktest_add(i, 2) != i + 2)
			KEXPECT(t, 0);
	}
	KEXPECT_EQ(t, n, expect);
	KEXPECT(t, site_is_nop(hooktest_add));
}

/* ---- return hooks ---- */

struct ret_log {
	int entries, returns;
	unsigned long last_ret, last_arg;
	int mismatches;
};

static int remember_arg(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	*(unsigned long *)data = *regs_arg_ptr(regs, 0);
	return 0;
}

static struct ret_log fact_log;
static void fact_returned(struct rethook *rh, struct pt_regs *regs, void *data)
{
	unsigned long n = *(unsigned long *)data, r = regs->ax, expect = 1;

	(void)rh;
	for (unsigned long i = 2; i <= n; i++)
		expect *= i;
	fact_log.returns++;
	fact_log.last_ret = r;
	fact_log.last_arg = n;
	if (r != expect)
		fact_log.mismatches++;
}

static void test_rethook_recursive(struct ktest *t)
{
	struct rethook rh = {
		.symbol = "hooktest_fact", .entry_handler = remember_arg,
		.handler = fact_returned, .data_size = sizeof(unsigned long),
	};
	struct shadow_stats before, after;

	memset(&fact_log, 0, sizeof(fact_log));
	shadow_stack_get_stats(&before);
	KEXPECT_EQ(t, rethook_register(&rh), 0);
	KEXPECT_EQ(t, rethook_register(&rh), -EEXIST);
	KEXPECT_EQ(t, hooktest_fact(10), 3628800);
	KEXPECT_EQ(t, rh.nhit, 10);
	KEXPECT_EQ(t, fact_log.returns, 10);
	KEXPECT_EQ(t, fact_log.mismatches, 0);
	KEXPECT_EQ(t, fact_log.last_arg, 10);
	KEXPECT_EQ(t, fact_log.last_ret, 3628800);
	KEXPECT_EQ(t, shadow_stack_depth(), before.depth);
	KEXPECT_EQ(t, rethook_unregister(&rh), 0);
	shadow_stack_get_stats(&after);
	KEXPECT_EQ(t, after.pushed - before.pushed, 10);
	KEXPECT_EQ(t, after.lost, 0);
	rh.symbol = "no_such_symbol";
	KEXPECT(t, rethook_register(&rh) < 0);
}

static int parity_returns;
static void parity_returned(struct rethook *rh, struct pt_regs *regs, void *data)
{
	unsigned long n = *(unsigned long *)data;
	int even = rh->addr == (unsigned long)hooktest_is_even;

	if ((int)regs->ax != (even ? !(n & 1) : (int)(n & 1)))
		parity_returns = -100000;
	parity_returns++;
}

static void test_rethook_mutual(struct ktest *t)
{
	struct rethook even = { .symbol = "hooktest_is_even", .entry_handler = remember_arg,
				.handler = parity_returned, .data_size = sizeof(long) };
	struct rethook odd = { .symbol = "hooktest_is_odd", .entry_handler = remember_arg,
			       .handler = parity_returned, .data_size = sizeof(long) };

	parity_returns = 0;
	KEXPECT_EQ(t, rethook_register(&even), 0);
	KEXPECT_EQ(t, rethook_register(&odd), 0);
	KEXPECT_EQ(t, hooktest_is_even(21), 0);
	KEXPECT_EQ(t, hooktest_is_odd(10), 0);
	KEXPECT_EQ(t, parity_returns, 22 + 11);
	rethook_unregister(&even);
	rethook_unregister(&odd);
}

static unsigned long deep_returns, deep_bad;
static void deep_returned(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	if (regs->ax != *(unsigned long *)data)
		deep_bad++;
	deep_returns++;
}

static void test_rethook_deep(struct ktest *t)
{
	struct rethook rh = { .symbol = "hooktest_depth", .entry_handler = remember_arg,
			      .handler = deep_returned, .data_size = sizeof(long) };
	struct shadow_stats st;

	deep_returns = deep_bad = 0;
	KEXPECT_EQ(t, rethook_register(&rh), 0);
	KEXPECT_EQ(t, hooktest_depth(1000), 1000);
	KEXPECT_EQ(t, deep_returns, 1001);
	KEXPECT_EQ(t, deep_bad, 0);
	shadow_stack_get_stats(&st);
	KEXPECT(t, st.max_depth >= 1001);
	/* Deeper than the shadow stack: the excess is missed, results stay right. */
	deep_returns = 0;
	KEXPECT_EQ(t, hooktest_depth(SHADOW_DEPTH + 100), SHADOW_DEPTH + 100);
	KEXPECT_EQ(t, deep_bad, 0);
	KEXPECT(t, rh.user.missed >= 100);
	KEXPECT_EQ(t, deep_returns + rh.user.missed, SHADOW_DEPTH + 101);
	rethook_unregister(&rh);
	KEXPECT(t, rh.nmissed >= 100);
	KEXPECT_EQ(t, shadow_stack_depth(), 0);
}

static void nothing_returned(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	(void)regs;
	(void)data;
	deep_returns++;
}

/* longjmp out of hooked calls: their frames go stale and are dropped. */
static void test_rethook_nonlocal_exit(struct ktest *t)
{
	struct rethook rh = { .symbol = "hooktest_escape_inner", .handler = nothing_returned };
	struct rethook fact = { .symbol = "hooktest_fact", .handler = nothing_returned };
	struct shadow_stats before, after;

	deep_returns = 0;
	KEXPECT_EQ(t, rethook_register(&rh), 0);
	KEXPECT_EQ(t, rethook_register(&fact), 0);
	shadow_stack_get_stats(&before);
	if (arch_setjmp(&escape) == 0)
		hooktest_escape_inner(5);
	KEXPECT_EQ(t, shadow_stack_depth(), before.depth + 6);
	/* The next hooked call drops the six stale frames. */
	KEXPECT_EQ(t, hooktest_fact(3), 6);
	shadow_stack_get_stats(&after);
	KEXPECT_EQ(t, after.stale_dropped - before.stale_dropped, 6);
	KEXPECT_EQ(t, deep_returns, 3);
	KEXPECT_EQ(t, shadow_stack_depth(), before.depth);
	KEXPECT_EQ(t, after.lost, 0);
	rethook_unregister(&rh);
	rethook_unregister(&fact);
}

/* ---- several users on one function ---- */

static int graph_seen_ret;
static void leaf_returned(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	(void)data;
	graph_seen_ret = (int)regs->ax;
}

static int count_records(enum trace_type type, unsigned long ip)
{
	int n = 0;

	for (unsigned long i = 0; i < ringbuf_count(trace_buffer()); i++) {
		const struct trace_record *r = ringbuf_peek(trace_buffer(), i);
		if (r->type == type && r->ip == ip)
			n++;
	}
	return n;
}

/* The function tracer, a return hook and the graph tracer on one function. */
static void test_all_users_together(struct ktest *t)
{
	int n = 0;
	struct ftrace_ops c = { .func = count_call, .private = &n };
	struct rethook rh = { .symbol = "hooktest_leaf", .handler = leaf_returned };
	struct shadow_stats before, after;
	unsigned long leaf = (unsigned long)hooktest_leaf;

	KEXPECT_EQ(t, function_tracer_start("hooktest_leaf"), 0);
	KEXPECT_EQ(t, ftrace_ops_register_ip(&c, leaf), 0);
	KEXPECT_EQ(t, rethook_register(&rh), 0);
	KEXPECT_EQ(t, fgraph_start("hooktest_*", 0), 0);
	trace_reset();
	shadow_stack_get_stats(&before);
	KEXPECT_EQ(t, hooktest_outer(4), 14);
	shadow_stack_get_stats(&after);
	fgraph_stop();
	rethook_unregister(&rh);
	ftrace_ops_unregister(&c);
	function_tracer_stop();
	KEXPECT_EQ(t, n, 1);
	KEXPECT_EQ(t, graph_seen_ret, 12);
	KEXPECT_EQ(t, count_records(TRACE_FUNCTION, leaf), 1);
	KEXPECT_EQ(t, count_records(TRACE_GRAPH_ENTRY, leaf), 1);
	KEXPECT_EQ(t, count_records(TRACE_GRAPH_RETURN, leaf), 1);
	/* One frame per call, whatever the number of users: outer, middle, leaf. */
	KEXPECT_EQ(t, after.pushed - before.pushed, 3);
	trace_reset();
}

/* ---- unwinding through the trampoline ---- */

struct chain {
	unsigned long ips[UNWIND_MAX_DEPTH];
	int n;
};

static int collect(unsigned long ip, const struct pt_regs *regs, void *ctx)
{
	struct chain *c = ctx;

	(void)regs;
	if (c->n < UNWIND_MAX_DEPTH)
		c->ips[c->n++] = ip;
	return 0;
}

static struct chain leaf_chain;
static void leaf_unwind(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	(void)regs;
	(void)data;
	leaf_chain.n = 0;
	unwind_walk((unsigned long)__builtin_return_address(0),
		    (unsigned long)__builtin_frame_address(0), collect, &leaf_chain);
}

static int chain_index(const struct chain *c, void *fn)
{
	for (int i = 0; i < c->n; i++) {
		unsigned long off;
		const char *name = sym_lookup(c->ips[i], &off, NULL);
		if (name && name == sym_lookup((unsigned long)fn, NULL, NULL))
			return i;
	}
	return -1;
}

static void test_unwind_from_return_handler(struct ktest *t)
{
	struct rethook leaf = { .symbol = "hooktest_leaf", .handler = leaf_unwind };
	struct rethook middle = { .symbol = "hooktest_middle", .handler = nothing_returned };
	struct rethook outer = { .symbol = "hooktest_outer", .handler = nothing_returned };
	int im, io, it;

	KEXPECT_EQ(t, rethook_register(&leaf), 0);
	KEXPECT_EQ(t, rethook_register(&middle), 0);
	KEXPECT_EQ(t, rethook_register(&outer), 0);
	KEXPECT_EQ(t, hooktest_outer(1), 5);
	rethook_unregister(&leaf);
	rethook_unregister(&middle);
	rethook_unregister(&outer);
	for (int i = 0; i < leaf_chain.n; i++)
		if (is_return_trampoline(leaf_chain.ips[i]))
			KEXPECT(t, !"return_trampoline address in the backtrace");
	im = chain_index(&leaf_chain, hooktest_middle);
	io = chain_index(&leaf_chain, hooktest_outer);
	it = chain_index(&leaf_chain, test_unwind_from_return_handler);
	ktest_log(t, "chain: %d frames; middle at %d, outer at %d, test at %d", leaf_chain.n, im, io, it);
	KEXPECT(t, im >= 0 && io > im && it > io);
}

/* The user stubs all end in a jmp to the one trampoline body. */
static int jumps_to_trampoline(void (*stub)(void), int push_words)
{
	const uint8_t *p = (const uint8_t *)stub;

	/* push imm32 (68 xx xx xx xx), repeated; then jmp rel32 or rel8 */
	for (int i = 0; i < push_words; i++) {
		if (p[0] == 0x68)
			p += 5;
		else if (p[0] == 0x6a)
			p += 2;
		else
			return 0;
	}
	if (p[0] == 0xe9) {
		int32_t rel;
		memcpy(&rel, p + 1, 4);
		return (unsigned long)(p + 5 + rel) == (unsigned long)call_to_exception_trampoline;
	}
	if (p[0] == 0xeb)
		return (unsigned long)(p + 2 + (int8_t)p[1]) == (unsigned long)call_to_exception_trampoline;
	return 0;
}

static void test_one_trampoline(struct ktest *t)
{
	/* every site's stub: the first, the last, and the one of an enabled site */
	KEXPECT(t, jumps_to_trampoline((void (*)(void))fentry_callers, 1));
	KEXPECT(t, jumps_to_trampoline((void (*)(void))(fentry_callers +
					(FENTRY_MAX_SITES - 1) * FENTRY_STUB_SIZE), 1));
	{
		const uint8_t *site = (const uint8_t *)hooktest_add;
		int32_t rel;

		KEXPECT_EQ(t, fentry_set_floor((unsigned long)hooktest_add, 1), 0);
		memcpy(&rel, site + 1, 4);
		KEXPECT_EQ(t, site[0], 0xe8);
		KEXPECT(t, jumps_to_trampoline((void (*)(void))(site + 5 + rel), 1));
		KEXPECT_EQ(t, hooktest_add(2, 3), 5);	/* through the trampoline and back */
		KEXPECT_EQ(t, fentry_set_floor((unsigned long)hooktest_add, 0), 0);
		KEXPECT_EQ(t, site[0], 0x0f);		/* the nop again */
	}
	KEXPECT(t, jumps_to_trampoline(return_trampoline, 2));
	KEXPECT(t, jumps_to_trampoline(optprobe_entry, 1));	/* optimized kprobes' detours */
	KEXPECT_EQ(t, sym_addr("call_to_exception_trampoline"), (unsigned long)call_to_exception_trampoline);
}

static const struct ktest_case hooks_cases[] = {
	{ "fentry_basic", test_fentry_basic },
	{ "fentry_regs_and_users", test_fentry_regs_and_users },
	{ "fentry_everything", test_fentry_everything },
	{ "fentry_churn", test_fentry_churn },
	{ "rethook_recursive", test_rethook_recursive },
	{ "rethook_mutual", test_rethook_mutual },
	{ "rethook_deep", test_rethook_deep },
	{ "rethook_nonlocal_exit", test_rethook_nonlocal_exit },
	{ "all_users_together", test_all_users_together },
	{ "unwind_from_return_handler", test_unwind_from_return_handler },
	{ "one_trampoline", test_one_trampoline },
	{ 0 },
};
/* These tests count hits, frames and patched bytes: they need the hooks to themselves. */
const char *ktest_skip_if_hook_all(void)
{
	return kopt.hook_all ? "hook_all=1: the hook machinery is shared with the boot-wide tracers" : NULL;
}

static const struct ktest_suite hooks_suite = { "hooks", hooks_cases, ktest_skip_if_hook_all };
KTEST_SUITE(hooks_suite);
