/*
 * Self-tests of kprobes (suite "kprobes"). The targets are hand-written
 * asm (arch/<arch>/test_kprobes_targets.S, tests/kernel/test_kprobes.h).
 *
 * The sweep probes every instruction of each swept target in turn and
 * checks the run against an unprobed one (result, memory, registers after)
 * and against an oracle: the same run single-stepped with TF by a #DB hook,
 * which gives how often each instruction ran and the registers before and
 * after it. So the hit count and the registers the handlers see are
 * checked independently of the kprobes machinery.
 */
#include <stddef.h>
#include "kernel/probes/kprobes.h"
#include "kernel/bench/bench.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/probes/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/ktest.h"
#include "kernel/mm/mm.h"
#include "kernel/probes/rethook.h"
#include "tests/kernel/test_kprobes.h"
#include "kernel/traps.h"
#include "lib/format.h"
#include "lib/insn.h"
#include "lib/string.h"

#define MODE		(ARCH_BITS == 64 ? INSN_MODE_64 : INSN_MODE_32)
#define NR_GPRS		(ARCH_BITS == 64 ? 16 : 8)
#define FLAGS_RF	0x10000ul
#define INT3		0xcc
#define MAX_FUNC	2048
#define MAX_LOGS	8	/* failure lines per sweep */

void call_to_exception_trampoline(void);
void trap_dispatch(struct pt_regs *regs);

/* ---- helpers ---- */

int kpt_decode_func(const void *fn, struct kpt_func *f)
{
	unsigned long pos;

	f->start = (unsigned long)fn;
	f->n = 0;
	if (!sym_lookup(f->start, NULL, &f->size) || f->size > MAX_FUNC)
		return -1;
	for (pos = f->start; pos < f->start + f->size;) {
		unsigned long left = f->start + f->size - pos;
		size_t n = left < INSN_MAX_LEN ? left : INSN_MAX_LEN;
		uint8_t buf[INSN_MAX_LEN];
		struct insn in;
		int len;

		kprobe_read_text(pos, buf, n);	/* as it was before probes patched it */
		len = insn_decode(&in, buf, n, MODE);
		if (len < 0 || f->n == KPT_MAX_INSNS)
			return -1;
		f->insn[f->n++] = pos;
		pos += len;
	}
	return 0;
}

static int insn_index(const struct kpt_func *f, unsigned long ip)
{
	unsigned lo = 0, hi = f->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (f->insn[mid] == ip)
			return (int)mid;
		if (f->insn[mid] < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static unsigned long reg(const struct pt_regs *r, int n)
{
	return *(const unsigned long *)((const char *)r + arch_gpr_offset[n]);
}

/* NULL when a and b hold the same registers (TF and RF aside), else what differs. */
static const char *regs_diff(const struct pt_regs *a, const struct pt_regs *b)
{
	static char buf[96];

	for (int n = 0; n < NR_GPRS; n++)
		if (reg(a, n) != reg(b, n)) {
			snprintf(buf, sizeof(buf), "register %d is %#lx, expected %#lx", n, reg(a, n), reg(b, n));
			return buf;
		}
	if (a->ip != b->ip)
		snprintf(buf, sizeof(buf), "ip is %#lx, expected %#lx", a->ip, b->ip);
	else if ((a->flags ^ b->flags) & ~(FLAGS_TF | FLAGS_RF))
		snprintf(buf, sizeof(buf), "flags are %#lx, expected %#lx", a->flags, b->flags);
	else
		return NULL;
	return buf;
}

/* ---- running targets ---- */

struct target {
	const char *name;
	void *fn;
	unsigned long in[3];	/* IN(3) is always kpt_leaf */
};

#define LONG_MIN_UL	(1ul << (ARCH_BITS - 1))

static const struct target swept[] = {
	{ "kpt_branch", kpt_branch, { 3, 7, 3 } },
	{ "kpt_branch", kpt_branch, { LONG_MIN_UL, 1, (unsigned long)-1 } },
	{ "kpt_stack", kpt_stack, { 0x1234, 0x5678 } },
	{ "kpt_flags", kpt_flags, { 2, 9 } },
	{ "kpt_flags", kpt_flags, { (unsigned long)-3, 9 } },
	{ "kpt_string", kpt_string, { 0 } },
	{ "kpt_memref", kpt_memref, { 0 } },
	{ "kpt_nops", kpt_nops, { 0 } },
	{ "kpt_misc", kpt_misc, { 100 } },
};

static unsigned long st[KPT_WORDS];
static unsigned long data_init[ARRAY_SIZE(kpt_data)];

struct outcome {
	unsigned long ret;
	unsigned long st[KPT_WORDS];
	unsigned long data[ARRAY_SIZE(kpt_data)];
};

static void reset(const struct target *tg)
{
	static int saved;

	if (!saved) {
		memcpy(data_init, kpt_data, sizeof(data_init));
		saved = 1;
	}
	memset(st, 0, sizeof(st));
	for (int i = 0; tg && i < 3; i++)
		st[KPT_IN + i] = tg->in[i];
	st[KPT_IN + 3] = (unsigned long)kpt_leaf;
	memcpy(kpt_data, data_init, sizeof(data_init));
}

static unsigned long run(const struct target *tg, unsigned long flags)
{
	reset(tg);
	return kpt_call(tg->fn, st, flags);
}

static void snapshot(struct outcome *o, unsigned long ret)
{
	o->ret = ret;
	memcpy(o->st, st, sizeof(st));
	memcpy(o->data, kpt_data, sizeof(kpt_data));
}

static int same_outcome(const struct outcome *a, const struct outcome *b)
{
	return a->ret == b->ret && !memcmp(a->st, b->st, sizeof(a->st)) &&
	       !memcmp(a->data, b->data, sizeof(a->data));
}

/* Run a kpt_call target with st as it is (for fault_catch). */
static void *run_fn;
static void run_st(void *ret)
{
	*(unsigned long *)ret = kpt_call(run_fn, st, KPT_FLAGS);
}

/* ---- the oracle: single-step a run with TF ---- */

struct step {
	unsigned long count;
	struct pt_regs pre, post;	/* first time: before and after the instruction */
	int have_post;
};

static struct {
	const struct kpt_func *f;
	struct step *steps;
	int last;		/* the instruction of the previous step, -1 */
	int fix_pushf;		/* the previous step was a pushf: hide TF in what it pushed */
	int active;
} tr;

static int trace_db(struct pt_regs *regs)
{
	unsigned long ip = regs->ip;
	int i;

	if (!tr.active)
		return 0;
	if (tr.last >= 0 && ip == tr.f->insn[tr.last]) {	/* the next round of a rep */
		regs->flags |= FLAGS_TF;
		return 1;
	}
	if (tr.last >= 0 && !tr.steps[tr.last].have_post) {
		tr.steps[tr.last].post = *regs;
		tr.steps[tr.last].have_post = 1;
	}
	if (tr.fix_pushf)
		*(unsigned long *)regs->sp &= ~FLAGS_TF;
	tr.fix_pushf = 0;
	tr.last = -1;
	if (ip == (unsigned long)kpt_call_done) {
		regs->flags &= ~FLAGS_TF;
		tr.active = 0;
		return 1;
	}
	i = insn_index(tr.f, ip);
	if (i >= 0) {
		if (!tr.steps[i].count++)
			tr.steps[i].pre = *regs;
		tr.last = i;
		tr.fix_pushf = *(const uint8_t *)ip == 0x9c;
	}
	regs->flags |= FLAGS_TF;	/* popf may have cleared it */
	return 1;
}

static struct trap_hook trace_hook = { trace_db, NULL };

static int oracle(const struct target *tg, const struct kpt_func *f, struct step *steps, struct outcome *o)
{
	unsigned long ret;

	memset(steps, 0, f->n * sizeof(*steps));
	tr.f = f;
	tr.steps = steps;
	tr.last = -1;
	tr.fix_pushf = 0;
	tr.active = 1;
	if (trap_hook_register(VEC_DB, &trace_hook))
		return -1;
	ret = run(tg, KPT_FLAGS | KPT_FLAGS_TF);
	trap_hook_unregister(VEC_DB, &trace_hook);
	snapshot(o, ret);
	return tr.active ? -1 : 0;
}

/* ---- the sweep ---- */

static struct {
	unsigned long pre_calls, post_calls;
	struct pt_regs pre, post;
} sw;

static int sweep_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	if (!sw.pre_calls++)
		sw.pre = *regs;
	return 0;
}

static void sweep_post(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	if (!sw.post_calls++)
		sw.post = *regs;
}

static struct kpt_func sweep_func;
static struct step sweep_steps[KPT_MAX_INSNS];
static uint8_t text_copy[MAX_FUNC];

/* What is wrong with the probed run of instruction i, or NULL. */
static const char *sweep_check(const struct kprobe *kp, const struct step *s, const struct outcome *ref,
			       const struct outcome *got, int with_post)
{
	static char buf[160];
	const char *d;

	if (!same_outcome(got, ref))
		return "the run differs from the unprobed one";
	if (kp->nhit != s->count || sw.pre_calls != s->count) {
		snprintf(buf, sizeof(buf), "%lu hits, %lu pre calls; it ran %lu times", kp->nhit,
			 sw.pre_calls, s->count);
		return buf;
	}
	if (kp->nmissed)
		return "misses counted";
	if (s->count && (d = regs_diff(&sw.pre, &s->pre))) {
		snprintf(buf, sizeof(buf), "pre_handler: %s", d);
		return buf;
	}
	if (with_post && sw.post_calls != s->count) {
		snprintf(buf, sizeof(buf), "%lu post calls; it ran %lu times", sw.post_calls, s->count);
		return buf;
	}
	if (with_post && s->count && (d = regs_diff(&sw.post, &s->post))) {
		snprintf(buf, sizeof(buf), "post_handler: %s", d);
		return buf;
	}
	return NULL;
}

/* Count why a probe was not optimized. */
static void tally(struct kpt_kinds *k, const char *why)
{
	unsigned i = 0;

	while (i < k->nreasons && strcmp(k->reason[i].why, why))
		i++;
	if (i == k->nreasons && i < KPT_MAX_REASONS)
		k->reason[k->nreasons++].why = why;
	if (i < KPT_MAX_REASONS)
		k->reason[i].n++;
}

/*
 * The probe at addr came out optimized: its int3 version (optimization off)
 * must be called as often and see the same registers (all of them, sp,
 * flags, ip). NULL, or what differs.
 */
static const char *int3_differs(const struct target *tg, unsigned long addr)
{
	static char buf[160];
	struct pt_regs seen = sw.pre;
	unsigned long calls = sw.pre_calls;
	struct kprobe kp = { .addr = addr, .pre_handler = sweep_pre };
	int was = kprobe_set_optimize(0);
	const char *d;

	memset(&sw, 0, sizeof(sw));
	if (kprobe_register(&kp) == 0) {
		run(tg, KPT_FLAGS);
		kprobe_unregister(&kp);
	}
	kprobe_set_optimize(was);
	if (sw.pre_calls != calls) {
		snprintf(buf, sizeof(buf), "%lu pre calls, as an int3 probe %lu", calls, sw.pre_calls);
		return buf;
	}
	if (calls && (d = regs_diff(&seen, &sw.pre))) {
		snprintf(buf, sizeof(buf), "pre_handler, against the int3 probe: %s", d);
		return buf;
	}
	return NULL;
}

static void sweep_target(struct ktest *t, const struct target *tg, int with_post, struct kpt_kinds *k)
{
	struct kpt_func *f = &sweep_func;
	struct outcome ref, traced, got;
	unsigned logs = 0;

	if (!KEXPECT_EQ(t, kpt_decode_func(tg->fn, f), 0))
		return;
	memcpy(text_copy, (void *)f->start, f->size);
	snapshot(&ref, run(tg, KPT_FLAGS));
	KEXPECT_EQ(t, oracle(tg, f, sweep_steps, &traced), 0);
	if (!KEXPECT(t, same_outcome(&traced, &ref)))
		ktest_log(t, "%s: the single-stepped run differs from the plain one", tg->name);
	for (unsigned i = 0; i < f->n; i++) {
		struct kprobe kp = {
			.addr = f->insn[i], .pre_handler = sweep_pre,
			.post_handler = with_post ? sweep_post : NULL,
		};
		const char *kind, *bad;
		int err;

		memset(&sw, 0, sizeof(sw));
		err = kprobe_register(&kp);
		if (!KEXPECT_EQ(t, err, 0)) {
			ktest_log(t, "%s+%#lx: register: %d (%s)", tg->name, f->insn[i] - f->start, err, kp.status);
			continue;
		}
		kind = kprobe_kind(&kp);
		k->boosted += !strcmp(kind, "boosted");
		k->sstep += !strcmp(kind, "single-step");
		k->emulated += !strcmp(kind, "emulated");
		if (!strcmp(kind, "optimized"))
			k->optimized++;
		else
			tally(k, kprobe_opt_status(&kp));
		snapshot(&got, run(tg, KPT_FLAGS));
		KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
		bad = sweep_check(&kp, &sweep_steps[i], &ref, &got, with_post);
		if (!bad && !strcmp(kind, "optimized"))
			bad = int3_differs(tg, kp.addr);
		if (!KEXPECT(t, bad == NULL) && logs++ < MAX_LOGS)
			ktest_log(t, "%s+%#lx (%s%s): %s", tg->name, f->insn[i] - f->start, kind,
				  with_post ? ", post_handler" : "", bad);
	}
	KEXPECT(t, !memcmp(text_copy, (void *)f->start, f->size));
}

void kpt_sweep(struct ktest *t, int with_post, struct kpt_kinds *k)
{
	for (unsigned i = 0; i < ARRAY_SIZE(swept); i++)
		sweep_target(t, &swept[i], with_post, k);
}

/* The int3 sweep: optimization off (tests/kernel/test_optprobes.c sweeps with it on). */
static void sweep(struct ktest *t, int with_post)
{
	struct kpt_kinds k = { 0 };
	int was = kprobe_set_optimize(0);

	kpt_sweep(t, with_post, &k);
	kprobe_set_optimize(was);
	ktest_log(t, "%u boosted, %u single-stepped, %u emulated", k.boosted, k.sstep, k.emulated);
	KEXPECT(t, k.emulated > 50);
	if (with_post) {
		KEXPECT(t, k.sstep > 50);
		KEXPECT_EQ(t, k.boosted, 0);
	} else {
		KEXPECT(t, k.boosted > 50);
		KEXPECT_EQ(t, k.sstep, 0);
	}
	KEXPECT_EQ(t, k.optimized, 0);
	KEXPECT_EQ(t, kprobe_count(), 0);
}

static void test_sweep(struct ktest *t)
{
	sweep(t, 0);
}

static void test_sweep_post(struct ktest *t)
{
	sweep(t, 1);
}

/* ---- registers the handlers see, the redirect contract ---- */

static struct pt_regs seen_pre, seen_post;
static unsigned long seen_arg0;

static int save_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	seen_pre = *regs;
	seen_arg0 = *regs_arg_ptr(regs, 0);	/* i386: on the stack, gone by the time the test looks */
	return 0;
}

static void save_post(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	seen_post = *regs;
}

static const struct target mov5 = { "kpt_mov5", kpt_mov5, { 0 } };
static const struct target redirect = { "kpt_redirect", kpt_redirect, { 0 } };

static void test_regs(struct ktest *t)
{
	struct kpt_func f;
	struct kprobe kp = { .symbol = "kpt_mov5", .pre_handler = save_pre, .post_handler = save_post };

	KEXPECT_EQ(t, kpt_decode_func(kpt_mov5, &f), 0);
	kp.offset = f.insn[1] - f.start;		/* movl $5, %eax */
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT_EQ(t, kp.addr, f.insn[1]);
	KEXPECT(t, !strcmp(kprobe_kind(&kp), "single-step"));
	memset(&seen_pre, 0, sizeof(seen_pre));
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	KEXPECT_EQ(t, kp.nhit, 1);
	KEXPECT_EQ(t, seen_pre.ip, f.insn[1]);
	KEXPECT_EQ(t, seen_pre.ax, 0);			/* before: xor cleared it */
	KEXPECT_EQ(t, seen_pre.cx, KPT_MAGIC + 1);
	KEXPECT_EQ(t, seen_post.ip, f.insn[2]);
	KEXPECT_EQ(t, seen_post.ax, 5);			/* after */
	KEXPECT_EQ(t, seen_post.sp, seen_pre.sp);
	KEXPECT_EQ(t, seen_post.flags & FLAGS_IF, 0);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	KEXPECT_EQ(t, kprobe_unregister(&kp), -ENOENT);
	KEXPECT_EQ(t, *(uint8_t *)f.insn[1], 0xb8);	/* mov $imm32, %eax is back */
}

static unsigned long redirect_to;
static int calls_after;

static int redirecting_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	regs->ip = redirect_to;
	return 1;
}

static int counting_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	calls_after++;
	return 0;
}

static void counting_post(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	calls_after += 100;
}

static int set_ax_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	regs->ax = 100;
	return 0;
}

static void test_redirect(struct ktest *t)
{
	struct kpt_func f;
	struct kprobe red = { .pre_handler = redirecting_pre, .post_handler = counting_post };
	struct kprobe later = { .pre_handler = counting_pre, .post_handler = counting_post };
	struct kprobe setax = { .pre_handler = set_ax_pre };

	KEXPECT_EQ(t, kpt_decode_func(kpt_redirect, &f), 0);
	KEXPECT_EQ(t, run(&redirect, KPT_FLAGS), 12);
	/* redirect from the second mov straight to the ret: the mov does not run */
	red.addr = later.addr = f.insn[1];
	redirect_to = f.insn[3];
	calls_after = 0;
	KEXPECT_EQ(t, kprobe_register(&red), 0);
	KEXPECT_EQ(t, kprobe_register(&later), 0);
	KEXPECT_EQ(t, run(&redirect, KPT_FLAGS), 1);
	KEXPECT_EQ(t, red.nhit, 1);
	KEXPECT_EQ(t, later.nhit, 0);		/* the chain stops at a redirect ... */
	KEXPECT_EQ(t, calls_after, 0);		/* ... and no post_handler runs */
	KEXPECT_EQ(t, kprobe_unregister(&red), 0);
	KEXPECT_EQ(t, run(&redirect, KPT_FLAGS), 12);
	KEXPECT_EQ(t, later.nhit, 1);
	KEXPECT_EQ(t, calls_after, 101);
	KEXPECT_EQ(t, kprobe_unregister(&later), 0);
	/* a register changed without redirecting takes effect before the instruction */
	setax.addr = f.insn[2];			/* addl $10, %eax */
	KEXPECT_EQ(t, kprobe_register(&setax), 0);
	KEXPECT_EQ(t, run(&redirect, KPT_FLAGS), 110);
	KEXPECT_EQ(t, kprobe_unregister(&setax), 0);
}

/* ---- several probes on one address, enable/disable ---- */

static int order[4], norder;

static int order_a(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	order[norder++ & 3] = 1;
	return 0;
}

static int order_b(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	order[norder++ & 3] = 2;
	return 0;
}

static void test_chain(struct ktest *t)
{
	struct kpt_func f;
	struct kprobe a = { .symbol = "kpt_mov5", .pre_handler = order_a };
	struct kprobe b = { .symbol = "kpt_mov5", .pre_handler = order_b, .post_handler = save_post };
	unsigned long sites = kprobe_site_count();
	int was = kprobe_set_optimize(0);	/* the int3 kinds */

	KEXPECT_EQ(t, kpt_decode_func(kpt_mov5, &f), 0);
	a.offset = b.offset = f.insn[1] - f.start;
	KEXPECT_EQ(t, kprobe_register(&a), 0);
	KEXPECT(t, !strcmp(kprobe_kind(&a), "boosted"));
	KEXPECT_EQ(t, kprobe_register(&b), 0);
	KEXPECT_EQ(t, kprobe_site_count(), sites + 1);	/* one int3, a chain of two */
	KEXPECT(t, !strcmp(kprobe_kind(&a), "single-step"));
	norder = 0;
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	KEXPECT_EQ(t, norder, 2);
	KEXPECT(t, order[0] == 1 && order[1] == 2);	/* registration order */
	KEXPECT_EQ(t, seen_post.ax, 5);
	/* disabling the one with the post_handler makes the address boosted again */
	KEXPECT_EQ(t, kprobe_disable(&b), 0);
	KEXPECT(t, !strcmp(b.status, "disabled"));
	KEXPECT(t, !strcmp(kprobe_kind(&a), "boosted"));
	KEXPECT_EQ(t, *(uint8_t *)f.insn[1], INT3);
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	KEXPECT_EQ(t, a.nhit, 2);
	KEXPECT_EQ(t, b.nhit, 1);
	/* with both disabled the original byte is back */
	KEXPECT_EQ(t, kprobe_disable(&a), 0);
	KEXPECT_EQ(t, *(uint8_t *)f.insn[1], 0xb8);
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	KEXPECT_EQ(t, a.nhit, 2);
	KEXPECT_EQ(t, kprobe_enable(&b), 0);
	KEXPECT_EQ(t, *(uint8_t *)f.insn[1], INT3);
	KEXPECT(t, !strcmp(kprobe_kind(&b), "single-step"));
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	KEXPECT_EQ(t, b.nhit, 2);
	KEXPECT_EQ(t, a.nhit, 2);
	KEXPECT_EQ(t, kprobe_enable(&a), 0);
	KEXPECT_EQ(t, kprobe_unregister(&b), 0);
	KEXPECT(t, !strcmp(kprobe_kind(&a), "boosted"));
	KEXPECT_EQ(t, kprobe_unregister(&a), 0);
	KEXPECT_EQ(t, kprobe_enable(&a), -ENOENT);
	KEXPECT_EQ(t, kprobe_disable(&a), -ENOENT);
	KEXPECT_EQ(t, *(uint8_t *)f.insn[1], 0xb8);
	KEXPECT_EQ(t, kprobe_site_count(), sites);
	kprobe_set_optimize(was);
}

/* ---- refusals: an error, and not one byte of text changed ---- */

static void expect_refused(struct ktest *t, struct kprobe *kp, int err, const void *watch, size_t len)
{
	static uint8_t before[MAX_FUNC];
	unsigned long probes = kprobe_count();

	if (!kp) {
		KEXPECT_EQ(t, kprobe_register(NULL), err);
		return;
	}
	if (len > sizeof(before))
		len = sizeof(before);
	if (watch)
		memcpy(before, watch, len);
	if (!KEXPECT_EQ(t, kprobe_register(kp), err))
		ktest_log(t, "%s+%#lx (%#lx) was not refused with %d", kp->symbol ? kp->symbol : "",
			  kp->offset, kp->addr, err);
	KEXPECT(t, kp->site == NULL);
	KEXPECT(t, kp->status != NULL);
	KEXPECT_EQ(t, kprobe_count(), probes);
	if (watch)
		KEXPECT(t, !memcmp(before, watch, len));
}

static void test_refuse(struct ktest *t)
{
	struct kpt_func f;
	struct kprobe kp;
	unsigned bad = 0;
	void *x;

	kp = (struct kprobe){ .symbol = "no_such_function" };
	expect_refused(t, &kp, -ENOENT, NULL, 0);
	KEXPECT(t, !strcmp(kp.status, "unknown symbol"));
	kp = (struct kprobe){ .symbol = "kpt_mov5", .offset = 3 };	/* inside movl $5, %eax */
	expect_refused(t, &kp, -EINVAL, kpt_mov5, 16);
	KEXPECT(t, !strcmp(kp.status, "not an instruction boundary"));
	kp = (struct kprobe){ .addr = (unsigned long)st };
	expect_refused(t, &kp, -EFAULT, NULL, 0);
	kp = (struct kprobe){ .addr = (unsigned long)trap_dispatch };
	expect_refused(t, &kp, -EFAULT, trap_dispatch, 32);
	kp = (struct kprobe){ .addr = (unsigned long)kprobe_register };
	expect_refused(t, &kp, -EFAULT, kprobe_register, 32);
	kp = (struct kprobe){ .addr = (unsigned long)call_to_exception_trampoline };
	expect_refused(t, &kp, -EFAULT, call_to_exception_trampoline, 32);
	x = execmem_alloc(64);
	if (KEXPECT(t, x != NULL)) {
		kp = (struct kprobe){ .addr = (unsigned long)x };
		expect_refused(t, &kp, -EFAULT, x, 64);
		execmem_free(x);
	}
	expect_refused(t, NULL, -EINVAL, NULL, 0);

	/* every instruction of kpt_refuse: the int3 is foreign, the rest cannot run */
	KEXPECT_EQ(t, kpt_decode_func(kpt_refuse, &f), 0);
	for (unsigned i = 0; i < f.n; i++) {
		int want = *(uint8_t *)f.insn[i] == INT3 ? -EBUSY : -EINVAL;

		kp = (struct kprobe){ .symbol = "kpt_refuse", .offset = f.insn[i] - f.start };
		if (kprobe_register(&kp) != want) {
			bad++;
			ktest_log(t, "kpt_refuse+%#lx: not refused with %d", kp.offset, want);
			if (kp.site)
				kprobe_unregister(&kp);
		}
	}
	KEXPECT_EQ(t, bad, 0);
	KEXPECT(t, f.n >= 15);
	/* kpt_refuse as a whole is byte for byte what it was */
	x = kmalloc(f.size);
	if (KEXPECT(t, x != NULL)) {
		memcpy(x, kpt_refuse, f.size);
		for (unsigned i = 0; i < f.n; i++) {
			kp = (struct kprobe){ .addr = f.insn[i] };
			kprobe_register(&kp);
		}
		KEXPECT(t, !memcmp(x, kpt_refuse, f.size));
		kfree(x);
	}

	/* double registration, unregistering what is not registered */
	kp = (struct kprobe){ .symbol = "kpt_mov5" };
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT_EQ(t, kprobe_register(&kp), -EEXIST);
	KEXPECT(t, !strcmp(kp.status, "armed"));
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	KEXPECT_EQ(t, kprobe_unregister(&kp), -ENOENT);
	KEXPECT_EQ(t, kprobe_unregister(NULL), -ENOENT);
	KEXPECT_EQ(t, kprobe_count(), 0);
}

/* ---- reentrancy, faults ---- */

static struct kprobe inner;
static long inner_result;
static int inner_depth;

static int call_add_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	inner_result = kpt_add(20, 22);
	return 0;
}

static void nop_post(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
}

/* A probe on kpt_add hit from a handler: a miss, and kpt_add still right. */
static void reenter_once(struct ktest *t, unsigned long at, int post, const char *kind)
{
	struct kprobe outer = { .symbol = "kpt_mov5", .pre_handler = call_add_pre };

	inner = (struct kprobe){ .addr = at, .pre_handler = counting_pre, .post_handler = post ? nop_post : NULL };
	KEXPECT_EQ(t, kprobe_register(&inner), 0);
	KEXPECT(t, !strcmp(kprobe_kind(&inner), kind));
	KEXPECT_EQ(t, kprobe_register(&outer), 0);
	inner_result = 0;
	calls_after = 0;
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	KEXPECT_EQ(t, inner_result, 42);
	KEXPECT_EQ(t, outer.nhit, 1);
	KEXPECT_EQ(t, inner.nmissed, 1);
	KEXPECT_EQ(t, inner.nhit, 0);
	KEXPECT_EQ(t, calls_after, 0);		/* no handler of the inner probe ran */
	KEXPECT_EQ(t, kpt_add(1, 2), 3);	/* outside any handler: a hit */
	KEXPECT_EQ(t, inner.nhit, 1);
	KEXPECT_EQ(t, kprobe_unregister(&outer), 0);
	KEXPECT_EQ(t, kprobe_unregister(&inner), 0);
}

static int recurse_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	if (!inner_depth++)
		inner_result = kpt_add(5, 6);
	inner_depth--;
	return 0;
}

static void test_reentrancy(struct ktest *t)
{
	struct kpt_func f;
	int was = kprobe_set_optimize(0);	/* the int3 kinds */

	KEXPECT_EQ(t, kpt_decode_func(kpt_add, &f), 0);
	reenter_once(t, f.start, 0, "boosted");
	reenter_once(t, f.start, 1, "single-step");
	reenter_once(t, f.insn[f.n - 1], 0, "emulated");	/* the ret */
	/* a handler calling its own probed function */
	inner = (struct kprobe){ .symbol = "kpt_add", .pre_handler = recurse_pre, .post_handler = nop_post };
	KEXPECT_EQ(t, kprobe_register(&inner), 0);
	inner_result = 0;
	KEXPECT_EQ(t, kpt_add(100, 1), 101);
	KEXPECT_EQ(t, inner_result, 11);
	KEXPECT_EQ(t, inner.nhit, 1);
	KEXPECT_EQ(t, inner.nmissed, 1);
	KEXPECT_EQ(t, kprobe_unregister(&inner), 0);
	kprobe_set_optimize(was);
}

static int ud_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	asm volatile("ud2");
	return 0;
}

static void do_ud(void *unused)
{
	(void)unused;
	asm volatile("ud2");
}

static int caught_in_handler;

/* Catches its own fault, then hits a probe: still inside a handler, so a miss. */
static int catching_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fault_record rec;

	(void)p;
	(void)regs;
	caught_in_handler = fault_catch(do_ud, NULL, &rec) == 1 && rec.vector == VEC_UD &&
			    kprobe_running() == p;
	inner_result = kpt_add(2, 2);
	return 0;
}

static void test_fault_in_handler(struct ktest *t)
{
	struct kprobe kp = { .symbol = "kpt_mov5", .pre_handler = ud_pre };
	struct fault_record rec;
	unsigned long ret = 0;

	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	reset(&mov5);
	run_fn = kpt_mov5;
	KEXPECT_EQ(t, fault_catch(run_st, &ret, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_UD);
	KEXPECT(t, !strcmp(kp.status, "a handler faulted"));
	KEXPECT(t, kprobe_running() == NULL);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	/* the machinery is not left thinking a handler runs */
	inner = (struct kprobe){ .symbol = "kpt_add" };
	KEXPECT_EQ(t, kprobe_register(&inner), 0);
	KEXPECT_EQ(t, kpt_add(1, 1), 2);
	KEXPECT_EQ(t, inner.nhit, 1);
	KEXPECT_EQ(t, inner.nmissed, 0);
	/* a handler that catches its own fault goes on as a handler */
	kp = (struct kprobe){ .symbol = "kpt_mov5", .pre_handler = catching_pre };
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	caught_in_handler = 0;
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	KEXPECT(t, caught_in_handler);
	KEXPECT(t, !strcmp(kp.status, "armed"));	/* its own catch: not blamed */
	KEXPECT_EQ(t, inner_result, 4);
	KEXPECT_EQ(t, inner.nmissed, 1);
	KEXPECT_EQ(t, inner.nhit, 1);
	KEXPECT(t, kprobe_running() == NULL);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	KEXPECT_EQ(t, kprobe_unregister(&inner), 0);
}

/* A fault in the out-of-line copy is reported at the probed address. */
static void test_fault_in_copy(struct ktest *t)
{
	static const struct target div = { "kpt_div", kpt_div, { 5 } };
	struct fault_record rec;
	unsigned long ret = 0;
	struct kpt_func f;

	KEXPECT_EQ(t, kpt_decode_func(kpt_div, &f), 0);
	for (int post = 0; post < 2; post++) {
		struct kprobe kp = { .addr = f.insn[3], .post_handler = post ? save_post : NULL };

		KEXPECT_EQ(t, kprobe_register(&kp), 0);	/* the div */
		KEXPECT(t, !strcmp(kprobe_kind(&kp), post ? "single-step" : "boosted"));
		reset(&div);
		st[KPT_IN] = 0;
		run_fn = kpt_div;
		KEXPECT_EQ(t, fault_catch(run_st, &ret, &rec), 1);
		KEXPECT_EQ(t, rec.vector, VEC_DE);
		KEXPECT_EQ(t, rec.ip, f.insn[3]);
		KEXPECT_EQ(t, read_flags() & FLAGS_IF, 0);
		KEXPECT_EQ(t, run(&div, KPT_FLAGS), 20);	/* and it still works */
		KEXPECT_EQ(t, kp.nhit, 2);
		KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	}
}

/* ---- sti: only probed with a post_handler that keeps IF clear here ---- */

static unsigned long sti_if;

static void sti_post(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	sti_if = regs->flags & FLAGS_IF;
	regs->flags &= ~FLAGS_IF;	/* no interrupt handlers exist */
}

static void test_sti(struct ktest *t)
{
	static const struct target sti = { "kpt_sti", kpt_sti, { 0 } };
	struct kprobe kp = { .symbol = "kpt_sti", .post_handler = sti_post };

	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT(t, !strcmp(kprobe_kind(&kp), "emulated"));
	sti_if = 0;
	KEXPECT_EQ(t, run(&sti, KPT_FLAGS), 1);
	KEXPECT_EQ(t, sti_if, FLAGS_IF);
	KEXPECT_EQ(t, read_flags() & FLAGS_IF, 0);
	KEXPECT_EQ(t, kp.nhit, 1);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
}

/* ---- churn: register and unregister around a running loop ---- */

enum { PA, PB, PC1, PC2, PD, PE, NCHURN };
#define CHURN_ITERS	2000

static struct {
	struct kprobe kp[NCHURN];
	int on[NCHURN];
	unsigned long expect[NCHURN], got[NCHURN], missed;
	int iter, errors;
} churn;

static int self_unregister_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)regs;
	if (kprobe_unregister(p))
		churn.errors++;
	return 0;
}

static void churn_toggle(int k)
{
	struct kprobe *p = &churn.kp[k];

	if (churn.on[k]) {
		churn.errors += kprobe_unregister(p) != 0;
		churn.got[k] += p->nhit;
		churn.missed += p->nmissed;
	} else {
		churn.errors += kprobe_register(p) != 0;
	}
	churn.on[k] = !churn.on[k];
}

/* Called by kpt_churn between A/B and C/D/E of each iteration. */
static void churn_cb(unsigned long *state)
{
	int i = churn.iter++;

	(void)state;
	churn.expect[PA] += churn.on[PA];	/* A and B ran before this call */
	churn.expect[PB] += churn.on[PB];
	if (i % 2 == 0)
		churn_toggle(PA);
	if (i % 3 == 0)
		churn_toggle(PB);
	if (i % 5 == 0)
		churn_toggle(PC1);
	if (i % 7 == 0)
		churn_toggle(PC2);
	if (!churn.kp[PD].site) {		/* it unregistered itself when hit */
		churn.got[PD] += churn.kp[PD].nhit;
		churn.errors += kprobe_register(&churn.kp[PD]) != 0;
	}
	churn.errors += (i % 2 ? kprobe_disable : kprobe_enable)(&churn.kp[PE]) != 0;
	churn.expect[PC1] += churn.on[PC1];	/* C, D and E run after it */
	churn.expect[PC2] += churn.on[PC2];
	churn.expect[PD]++;
	churn.expect[PE] += !(i % 2);
}

static void test_churn(struct ktest *t)
{
	static const struct target loop = { "kpt_churn", kpt_churn, { 0 } };
	struct kpt_func f;
	int e = -1;

	KEXPECT_EQ(t, kpt_decode_func(kpt_churn, &f), 0);
	memcpy(text_copy, kpt_churn, f.size);
	for (unsigned i = 0; i < f.n; i++) {
		struct insn in;

		insn_decode(&in, (void *)f.insn[i], INSN_MAX_LEN, MODE);
		if (in.branch == INSN_BR_JCC8)
			e = (int)i;
	}
	if (!KEXPECT(t, e > 8))
		return;
	memset(&churn, 0, sizeof(churn));
	churn.kp[PA] = (struct kprobe){ .addr = f.insn[4] };
	churn.kp[PB] = (struct kprobe){ .addr = f.insn[6] };
	churn.kp[PC1] = (struct kprobe){ .addr = f.insn[7], .post_handler = nop_post };
	churn.kp[PC2] = (struct kprobe){ .addr = f.insn[7] };
	churn.kp[PD] = (struct kprobe){ .addr = f.insn[8], .pre_handler = self_unregister_pre };
	churn.kp[PE] = (struct kprobe){ .addr = f.insn[e] };
	KEXPECT_EQ(t, kprobe_register(&churn.kp[PD]), 0);
	KEXPECT_EQ(t, kprobe_register(&churn.kp[PE]), 0);
	churn.on[PE] = 1;
	reset(&loop);
	st[KPT_IN] = CHURN_ITERS;
	st[KPT_IN + 1] = (unsigned long)churn_cb;
	kpt_call(kpt_churn, st, KPT_FLAGS);
	KEXPECT_EQ(t, st[KPT_OUT], CHURN_ITERS);
	KEXPECT_EQ(t, st[KPT_OUT + 1], 2 * CHURN_ITERS);
	for (int k = 0; k < NCHURN; k++) {
		if (k != PD && churn.on[k])
			churn_toggle(k);
		else if (k == PD)
			churn.got[PD] += churn.kp[PD].nhit;	/* unregistered itself */
	}
	KEXPECT_EQ(t, churn.errors, 0);
	KEXPECT_EQ(t, churn.missed, 0);
	for (int k = 0; k < NCHURN; k++)
		if (!KEXPECT_EQ(t, churn.got[k], churn.expect[k]))
			ktest_log(t, "probe %d: %lu hits, expected %lu", k, churn.got[k], churn.expect[k]);
	KEXPECT(t, churn.expect[PA] > 0 && churn.expect[PC1] > 0 && churn.expect[PC2] > 0);
	KEXPECT_EQ(t, kprobe_count(), 0);
	KEXPECT(t, !memcmp(text_copy, kpt_churn, f.size));
}

/* ---- a kprobe on an fentry site: an ftrace_ops ---- */

static __noinline int fake_target(int x)
{
	return x + 1000;
}

static int redirect_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	regs->ip = (unsigned long)fake_target;
	return 1;
}

static void test_fentry(struct ktest *t)
{
	unsigned long at = (unsigned long)bench_target;
	struct kprobe kp = { .symbol = "bench_target", .pre_handler = save_pre, .post_handler = save_post };
	struct kprobe red = { .symbol = "bench_target", .pre_handler = redirect_pre };
	struct kprobe self = { .symbol = "bench_target", .pre_handler = self_unregister_pre };
	uint8_t before[FENTRY_CALL_SIZE];

	if (!fentry_site_exists(at)) {
		ktest_skip(t, "bench_target has no fentry site");
		return;
	}
	memcpy(before, (void *)at, sizeof(before));
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT(t, !strcmp(kprobe_kind(&kp), "ftrace"));
	KEXPECT_EQ(t, bench_target(5), 16);
	KEXPECT_EQ(t, kp.nhit, 1);
	KEXPECT_EQ(t, seen_pre.ip, at);
	KEXPECT_EQ(t, seen_arg0 & 0xffffffff, 5);
	KEXPECT_EQ(t, seen_post.ip, at + FENTRY_CALL_SIZE);
	KEXPECT_EQ(t, seen_post.sp, seen_pre.sp);
	/* disabled: the site is a nop again */
	KEXPECT_EQ(t, kprobe_disable(&kp), 0);
	KEXPECT(t, !memcmp(before, (void *)at, sizeof(before)));
	KEXPECT_EQ(t, bench_target(5), 16);
	KEXPECT_EQ(t, kp.nhit, 1);
	KEXPECT_EQ(t, kprobe_enable(&kp), 0);
	/* a chained redirect: the function's call goes to fake_target instead */
	KEXPECT_EQ(t, kprobe_register(&red), 0);
	KEXPECT_EQ(t, bench_target(5), 1005);
	KEXPECT_EQ(t, kp.nhit, 2);
	KEXPECT_EQ(t, red.nhit, 1);
	KEXPECT_EQ(t, kprobe_unregister(&red), 0);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	KEXPECT(t, !memcmp(before, (void *)at, sizeof(before)));
	/* unregistered from its own handler: detached at the next kprobe call */
	churn.errors = 0;
	KEXPECT_EQ(t, kprobe_register(&self), 0);
	KEXPECT_EQ(t, bench_target(1), 4);
	KEXPECT_EQ(t, bench_target(1), 4);
	KEXPECT_EQ(t, self.nhit, 1);
	KEXPECT_EQ(t, churn.errors, 0);
	KEXPECT_EQ(t, kprobe_unregister(&self), -ENOENT);	/* and the next call finishes it */
	KEXPECT(t, !memcmp(before, (void *)at, sizeof(before)));
	KEXPECT_EQ(t, kprobe_count(), 0);
}

/* ---- a return hook on an asm function (no fentry site) ---- */

static unsigned long rh_entries, rh_arg, rh_ret;

static int rh_entry(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	rh_entries++;
	*(unsigned long *)data = *regs_arg_ptr(regs, 0);
	return 0;
}

static void rh_return(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	rh_arg = *(unsigned long *)data;
	rh_ret = regs->ax;
}

static void test_rethook(struct ktest *t)
{
	struct rethook rh = {
		.symbol = "kpt_add", .entry_handler = rh_entry, .handler = rh_return,
		.data_size = sizeof(unsigned long),
	};
	uint8_t first = *(uint8_t *)kpt_add;
	unsigned depth = shadow_stack_depth();
	int was = kprobe_set_optimize(0);	/* the int3 kinds */

	KEXPECT(t, !fentry_site_exists((unsigned long)kpt_add));
	rh_entries = rh_arg = rh_ret = 0;
	KEXPECT_EQ(t, rethook_register(&rh), 0);
	KEXPECT(t, !strcmp(kprobe_kind(&rh.entry_kprobe), "boosted"));
	KEXPECT_EQ(t, kpt_add(40, 2), 42);
	KEXPECT_EQ(t, rh.nhit, 1);
	KEXPECT_EQ(t, rh_entries, 1);
	KEXPECT_EQ(t, rh_arg, 40);
	KEXPECT_EQ(t, rh_ret, 42);
	KEXPECT_EQ(t, shadow_stack_depth(), depth);
	KEXPECT_EQ(t, kpt_add(-5, 2), -3);
	KEXPECT_EQ(t, rh_ret, (unsigned long)-3);
	KEXPECT_EQ(t, rethook_unregister(&rh), 0);
	KEXPECT_EQ(t, *(uint8_t *)kpt_add, first);
	KEXPECT_EQ(t, kpt_add(1, 2), 3);
	KEXPECT_EQ(t, rh_entries, 2);
	kprobe_set_optimize(was);
}

/* ---- 10,000 probes at once ---- */

/* Whole pages for the 10,000 struct kprobe: the heap keeps what it grows by. */
#define SCALE_PAGES	((KPT_NOPS * sizeof(struct kprobe) + PAGE_SIZE - 1) / PAGE_SIZE)

static void test_scale(struct ktest *t)
{
	struct kprobe *kp = pmm_alloc_pages(SCALE_PAGES);
	uint8_t *copy = kmalloc(KPT_NOPS + 1);
	unsigned long sites = kprobe_site_count();
	unsigned failed = 0, wrong = 0;

	if (!KEXPECT(t, kp && copy))
		goto out;
	memcpy(copy, kpt_nops10k, KPT_NOPS + 1);
	for (unsigned i = 0; i < KPT_NOPS; i++) {
		kp[i].addr = (unsigned long)kpt_nops10k + i;
		failed += kprobe_register(&kp[i]) != 0;
	}
	KEXPECT_EQ(t, failed, 0);
	KEXPECT_EQ(t, kprobe_site_count(), sites + KPT_NOPS);
	kpt_nops10k();
	kpt_nops10k();
	for (unsigned i = 0; i < KPT_NOPS; i++) {
		wrong += kp[i].nhit != 2;
		failed += kprobe_unregister(&kp[i]) != 0;
	}
	KEXPECT_EQ(t, wrong, 0);
	KEXPECT_EQ(t, failed, 0);
	KEXPECT_EQ(t, kprobe_site_count(), sites);
	KEXPECT(t, !memcmp(copy, kpt_nops10k, KPT_NOPS + 1));
out:
	if (kp)
		pmm_free_pages(kp, SCALE_PAGES);
	kfree(copy);
}

/* ---- the report (last) ---- */

static void test_report(struct ktest *t)
{
	struct kpt_func f;
	struct kprobe a = { .symbol = "kpt_add" };
	struct kprobe b = { .symbol = "kpt_mov5", .post_handler = nop_post };
	struct kprobe c = { .symbol = "kpt_sti", .offset = 1 };	/* cli */

	KEXPECT_EQ(t, kpt_decode_func(kpt_mov5, &f), 0);
	b.offset = f.insn[1] - f.start;
	KEXPECT_EQ(t, kprobe_register(&a), 0);
	KEXPECT_EQ(t, kprobe_register(&b), 0);
	KEXPECT_EQ(t, kprobe_register(&c), 0);
	KEXPECT_EQ(t, kpt_add(1, 1), 2);
	KEXPECT_EQ(t, run(&mov5, KPT_FLAGS), 5);
	kprobe_report();
	KEXPECT_EQ(t, kprobe_count(), 3);
	KEXPECT_EQ(t, kprobe_unregister(&a), 0);
	KEXPECT_EQ(t, kprobe_unregister(&b), 0);
	KEXPECT_EQ(t, kprobe_unregister(&c), 0);
	kprobe_report();
}

static const struct ktest_case kprobes_cases[] = {
	{ "sweep", test_sweep },
	{ "sweep_post", test_sweep_post },
	{ "regs", test_regs },
	{ "redirect", test_redirect },
	{ "chain", test_chain },
	{ "refuse", test_refuse },
	{ "reentrancy", test_reentrancy },
	{ "fault_in_handler", test_fault_in_handler },
	{ "fault_in_copy", test_fault_in_copy },
	{ "sti", test_sti },
	{ "churn", test_churn },
	{ "fentry_site", test_fentry },
	{ "rethook_no_fentry", test_rethook },
	{ "scale_10000", test_scale },
	{ "report", test_report },
	{ 0 },
};

static const struct ktest_suite kprobes_suite = { .name = "kprobes", .cases = kprobes_cases };
KTEST_SUITE(kprobes_suite);
