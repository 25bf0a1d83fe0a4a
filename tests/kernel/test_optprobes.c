/*
 * Self-tests of optimized kprobes (suite "optprobes"): the kprobe sweep with
 * optimization on, the bytes a jmp puts in and takes out, the registers and
 * the redirect contract through the trampoline, probes landing inside an
 * optimized range, the text_poke_bp windows and churn while the target runs.
 * The targets are the kprobes suite's (arch/<arch>/test_kprobes_targets.S).
 */
#include "kernel/smp/smp.h"
#include "kernel/probes/kprobes.h"
#include "kernel/ktest.h"
#include "kernel/mm/mm.h"
#include "kernel/probes/rethook.h"
#include "tests/kernel/test_kprobes.h"
#include "kernel/mm/text_poke.h"
#include "kernel/traps.h"
#include "lib/insn.h"
#include "lib/string.h"

#define MODE		(ARCH_BITS == 64 ? INSN_MODE_64 : INSN_MODE_32)
#define JMP32		0xe9
#define INT3		0xcc
#define JMP_SIZE	5

static unsigned long st[KPT_WORDS];

static unsigned long run(void *fn)
{
	memset(st, 0, sizeof(st));
	return kpt_call(fn, st, KPT_FLAGS);
}

static int is_optimized(const struct kprobe *p)
{
	return !strcmp(kprobe_kind(p), "optimized");
}

/* Where the jmp at addr leads: a detour slot in execmem. */
static int jmps_to_detour(unsigned long addr)
{
	const uint8_t *p = (const uint8_t *)addr;
	int32_t rel;

	if (p[0] != JMP32)
		return 0;
	memcpy(&rel, p + 1, sizeof(rel));
	return execmem_contains((const void *)(addr + JMP_SIZE + rel));
}

static unsigned long hits_a, hits_b;
static struct pt_regs seen;

static int count_a(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	if (!hits_a++)
		seen = *regs;
	return 0;
}

static int count_b(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	hits_b++;
	return 0;
}

static void nop_post(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
}

/* ---- the sweep, optimized ---- */

/* Reasons that say nothing about the instructions: none may show in the sweep. */
static const char *const transient[] = {
	"optimization is off", "out of memory", "not yet", "cannot write", "text_poke_bp", "changed while",
};

static void test_sweep(struct ktest *t)
{
	struct kpt_kinds k = { 0 };
	unsigned fell_back = 0;

	kpt_sweep(t, 0, &k);
	for (unsigned i = 0; i < k.nreasons; i++) {
		ktest_log(t, "  %u not optimized: %s", k.reason[i].n, k.reason[i].why);
		fell_back += k.reason[i].n;
		for (unsigned j = 0; j < ARRAY_SIZE(transient); j++)
			KEXPECT(t, !str_starts_with(k.reason[i].why, transient[j]));
	}
	ktest_log(t, "%u optimized, %u fell back (%u boosted, %u emulated)", k.optimized, fell_back,
		  k.boosted, k.emulated);
	KEXPECT(t, k.optimized > 100);
	KEXPECT_EQ(t, k.sstep, 0);
	KEXPECT_EQ(t, fell_back, k.boosted + k.emulated);
	KEXPECT_EQ(t, kprobe_count(), 0);
}

/* ---- the bytes ---- */

static void test_bytes(struct ktest *t)
{
	struct kprobe kp = { .symbol = "kpt_mov5", .pre_handler = count_a };
	unsigned long at = (unsigned long)kpt_mov5;
	uint8_t orig[8], now[8];

	memcpy(orig, kpt_mov5, sizeof(orig));		/* xor (2), mov $5 (5), ret */
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT(t, is_optimized(&kp));
	KEXPECT(t, !strcmp(kprobe_opt_status(&kp), "optimized"));
	KEXPECT(t, !strcmp(kp.status, "armed"));
	KEXPECT(t, jmps_to_detour(at));
	KEXPECT(t, memcmp(orig, kpt_mov5, sizeof(orig)));
	kprobe_read_text(at, now, sizeof(now));		/* readers see the original */
	KEXPECT(t, !memcmp(orig, now, sizeof(orig)));
	hits_a = 0;
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, kp.nhit, 2);
	KEXPECT_EQ(t, hits_a, 2);
	KEXPECT_EQ(t, seen.ip, at);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	KEXPECT(t, !memcmp(orig, kpt_mov5, sizeof(orig)));	/* exactly */
	/* a probe with a post_handler keeps its int3 */
	kp = (struct kprobe){ .symbol = "kpt_mov5", .post_handler = nop_post };
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT(t, !strcmp(kprobe_opt_status(&kp), "a post_handler needs the single step"));
	KEXPECT_EQ(t, *(uint8_t *)at, INT3);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	KEXPECT(t, !memcmp(orig, kpt_mov5, sizeof(orig)));
	KEXPECT(t, !strcmp(kprobe_opt_status(&kp), "-"));
}

/* Addresses that stay int3 probes, and why. */
static void test_refused(struct ktest *t)
{
	struct kpt_func f;
	static const struct {
		void *fn;
		int insn;		/* index; -1: the last one */
		const char *why;
	} cases[] = {
		{ kpt_branch, 2, "its function has an indirect jmp (a jump table?)" },
		{ kpt_churn, 3, "a branch lands in the 5 bytes" },	/* the loop's head follows */
		{ kpt_churn, 6, "a call in the 5 bytes (its return address would lie in the detour)" },
		{ kpt_mov5, -1, "the 5 bytes run past the end of its function" },
		{ kpt_sti, 0, "an IF-changing instruction in the 5 bytes" },
	};
	struct kprobe kp;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!KEXPECT_EQ(t, kpt_decode_func(cases[i].fn, &f), 0))
			continue;
		kp = (struct kprobe){ .addr = f.insn[cases[i].insn < 0 ? f.n - 1 : (unsigned)cases[i].insn],
				      .pre_handler = count_a };
		if (!KEXPECT_EQ(t, kprobe_register(&kp), 0))
			continue;
		if (!KEXPECT(t, !strcmp(kprobe_opt_status(&kp), cases[i].why)))
			ktest_log(t, "case %u: %s", i, kprobe_opt_status(&kp));
		KEXPECT(t, !is_optimized(&kp));
		KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	}
	/* a fentry site: the ftrace_ops does it */
	kp = (struct kprobe){ .symbol = "bench_target", .pre_handler = count_a };
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	if (!strcmp(kprobe_kind(&kp), "ftrace"))
		KEXPECT(t, !strcmp(kprobe_opt_status(&kp), "an fentry site (an ftrace_ops runs its handlers)"));
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	/* the switch */
	KEXPECT_EQ(t, kprobe_set_optimize(0), 1);
	kp = (struct kprobe){ .symbol = "kpt_mov5", .pre_handler = count_a };
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT(t, !strcmp(kprobe_opt_status(&kp), "optimization is off"));
	KEXPECT(t, !strcmp(kprobe_kind(&kp), "boosted"));
	KEXPECT_EQ(t, kprobe_set_optimize(1), 0);
	KEXPECT_EQ(t, kprobe_disable(&kp), 0);		/* a change: now it is */
	KEXPECT_EQ(t, kprobe_enable(&kp), 0);
	KEXPECT(t, is_optimized(&kp));
	KEXPECT_EQ(t, kprobe_set_optimize(0), 1);	/* off unoptimizes at once */
	KEXPECT_EQ(t, *(uint8_t *)kpt_mov5, INT3);
	KEXPECT(t, !strcmp(kprobe_kind(&kp), "boosted"));
	KEXPECT_EQ(t, kprobe_set_optimize(1), 0);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
}

/* ---- registers, redirect ---- */

static unsigned long redirect_to;

static int redirecting(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	regs->ip = redirect_to;
	return 1;
}

static unsigned long new_cx;

static int set_cx(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	regs->cx = new_cx;
	return 0;
}

static void test_regs_redirect(struct ktest *t)
{
	struct kpt_func f;
	struct kprobe kp = { .symbol = "kpt_mov5", .pre_handler = set_cx };
	struct kprobe red = { .pre_handler = redirecting }, later = { .pre_handler = count_b };

	/* a register changed by the pre_handler is what the code then has */
	new_cx = 0x1234;
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	KEXPECT(t, is_optimized(&kp));
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, st[KPT_REGS + 1], 0x1234);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, st[KPT_REGS + 1], KPT_MAGIC + 1);

	/* a redirect from the second mov to the ret: neither the mov nor the add runs */
	KEXPECT_EQ(t, kpt_decode_func(kpt_redirect, &f), 0);
	KEXPECT_EQ(t, run(kpt_redirect), 12);
	red.addr = f.insn[1];
	redirect_to = f.insn[3];
	KEXPECT_EQ(t, kprobe_register(&red), 0);
	KEXPECT(t, is_optimized(&red));
	KEXPECT_EQ(t, run(kpt_redirect), 1);
	KEXPECT_EQ(t, red.nhit, 1);
	/* a chain (the handler's slow path) stops at the redirect, optimized still */
	later.addr = f.insn[1];
	hits_b = 0;
	KEXPECT_EQ(t, kprobe_register(&later), 0);
	KEXPECT(t, is_optimized(&later));
	KEXPECT_EQ(t, run(kpt_redirect), 1);
	KEXPECT_EQ(t, red.nhit, 2);
	KEXPECT_EQ(t, later.nhit, 0);
	KEXPECT_EQ(t, hits_b, 0);
	KEXPECT_EQ(t, kprobe_unregister(&red), 0);
	KEXPECT(t, is_optimized(&later));
	KEXPECT_EQ(t, run(kpt_redirect), 12);
	KEXPECT_EQ(t, later.nhit, 1);
	KEXPECT_EQ(t, hits_b, 1);
	KEXPECT_EQ(t, kprobe_unregister(&later), 0);
}

/* ---- a probe inside the 5 bytes ---- */

static void test_inside(struct ktest *t)
{
	struct kprobe a = { .symbol = "kpt_mov5", .pre_handler = count_a };
	struct kprobe b = { .symbol = "kpt_mov5", .offset = 2, .pre_handler = count_b };	/* the mov */
	unsigned long at = (unsigned long)kpt_mov5;
	uint8_t orig[8];

	memcpy(orig, kpt_mov5, sizeof(orig));
	KEXPECT_EQ(t, kprobe_register(&a), 0);
	KEXPECT(t, is_optimized(&a));
	KEXPECT_EQ(t, kprobe_register(&b), 0);		/* at a + 2: a is unoptimized first */
	KEXPECT(t, !is_optimized(&a));
	KEXPECT(t, !strcmp(kprobe_opt_status(&a), "another probe lies in the 5 bytes"));
	KEXPECT_EQ(t, *(uint8_t *)at, INT3);
	KEXPECT_EQ(t, *(uint8_t *)(at + 1), orig[1]);
	KEXPECT(t, is_optimized(&b));			/* its own 5 bytes are free */
	hits_a = hits_b = 0;
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, hits_a, 1);
	KEXPECT_EQ(t, hits_b, 1);
	KEXPECT_EQ(t, kprobe_unregister(&b), 0);	/* a is optimized again */
	KEXPECT(t, is_optimized(&a));
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, hits_a, 2);
	KEXPECT_EQ(t, hits_b, 1);
	/* the other order: b first, then a, whose 5 bytes hold b */
	KEXPECT_EQ(t, kprobe_unregister(&a), 0);
	KEXPECT(t, !memcmp(orig, kpt_mov5, sizeof(orig)));
	KEXPECT_EQ(t, kprobe_register(&b), 0);
	KEXPECT_EQ(t, kprobe_register(&a), 0);
	KEXPECT(t, is_optimized(&b));
	KEXPECT(t, !is_optimized(&a));
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, hits_a, 3);
	KEXPECT_EQ(t, hits_b, 2);
	KEXPECT_EQ(t, kprobe_unregister(&a), 0);
	KEXPECT_EQ(t, kprobe_unregister(&b), 0);
	KEXPECT(t, !memcmp(orig, kpt_mov5, sizeof(orig)));
}

/* ---- a post_handler, disable/enable ---- */

static void test_post_disable(struct ktest *t)
{
	struct kprobe a = { .symbol = "kpt_mov5", .pre_handler = count_a };
	struct kprobe p = { .symbol = "kpt_mov5", .pre_handler = count_b, .post_handler = nop_post };
	unsigned long at = (unsigned long)kpt_mov5;
	uint8_t orig[8];

	memcpy(orig, kpt_mov5, sizeof(orig));
	hits_a = hits_b = 0;
	KEXPECT_EQ(t, kprobe_register(&a), 0);
	KEXPECT(t, is_optimized(&a));
	KEXPECT_EQ(t, kprobe_register(&p), 0);		/* needs the single step */
	KEXPECT(t, !strcmp(kprobe_kind(&a), "single-step"));
	KEXPECT_EQ(t, *(uint8_t *)at, INT3);
	KEXPECT(t, !memcmp(orig + 1, (uint8_t *)at + 1, JMP_SIZE - 1));
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, kprobe_disable(&p), 0);		/* optimized again */
	KEXPECT(t, is_optimized(&a));
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, kprobe_disable(&a), 0);		/* nothing enabled: the original */
	KEXPECT(t, !memcmp(orig, kpt_mov5, sizeof(orig)));
	KEXPECT(t, !strcmp(kprobe_opt_status(&a), "disabled"));
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, kprobe_enable(&a), 0);
	KEXPECT(t, is_optimized(&a));
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, hits_a, 3);
	KEXPECT_EQ(t, hits_b, 1);
	KEXPECT_EQ(t, kprobe_unregister(&p), 0);
	KEXPECT_EQ(t, kprobe_unregister(&a), 0);
	KEXPECT(t, !memcmp(orig, kpt_mov5, sizeof(orig)));
}

/* ---- hits inside text_poke_bp's windows ---- */

static unsigned long window_runs, window_bad;

/* After each step of every text_poke_bp: run the target being patched. */
static void run_in_window(int step)
{
	unsigned long saved[KPT_WORDS];

	(void)step;
	memcpy(saved, st, sizeof(st));
	window_runs++;
	window_bad += run(kpt_mov5) != 5;
	memcpy(st, saved, sizeof(st));
}

static void test_windows(struct ktest *t)
{
	struct kprobe a = { .symbol = "kpt_mov5", .pre_handler = count_a };
	struct kprobe p = { .symbol = "kpt_mov5", .pre_handler = count_b, .post_handler = nop_post };
	uint8_t orig[8];

	memcpy(orig, kpt_mov5, sizeof(orig));
	hits_a = hits_b = window_runs = window_bad = 0;
	text_poke_bp_step_hook = run_in_window;
	KEXPECT_EQ(t, kprobe_register(&a), 0);		/* optimize: 3 steps, 3 hits */
	KEXPECT(t, is_optimized(&a));
	KEXPECT_EQ(t, window_runs, 3);
	KEXPECT_EQ(t, hits_a, 3);
	KEXPECT_EQ(t, kprobe_register(&p), 0);		/* unoptimize with both probes armed */
	KEXPECT_EQ(t, window_runs, 6);
	KEXPECT_EQ(t, hits_a, 6);
	KEXPECT_EQ(t, hits_b, 3);
	KEXPECT_EQ(t, kprobe_unregister(&p), 0);	/* optimize again */
	KEXPECT_EQ(t, window_runs, 9);
	KEXPECT_EQ(t, hits_a, 9);
	KEXPECT_EQ(t, kprobe_unregister(&a), 0);	/* unoptimize, nothing armed */
	KEXPECT_EQ(t, window_runs, 12);
	KEXPECT_EQ(t, hits_a, 9);
	text_poke_bp_step_hook = NULL;
	KEXPECT_EQ(t, window_bad, 0);
	KEXPECT(t, !memcmp(orig, kpt_mov5, sizeof(orig)));
}

/* ---- hit from a handler, registered from a handler ---- */

static struct kprobe inner;
static long inner_result;

static int call_add(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	inner_result = kpt_add(20, 22);
	return 0;
}

static int register_inner(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	inner = (struct kprobe){ .symbol = "kpt_add", .pre_handler = count_b };
	inner_result = kprobe_register(&inner);
	return 0;
}

static void test_from_handler(struct ktest *t)
{
	struct kprobe outer = { .symbol = "kpt_mov5", .pre_handler = call_add };

	inner = (struct kprobe){ .symbol = "kpt_add", .pre_handler = count_b };
	KEXPECT_EQ(t, kprobe_register(&inner), 0);
	KEXPECT(t, is_optimized(&inner));
	KEXPECT_EQ(t, kprobe_register(&outer), 0);
	KEXPECT(t, is_optimized(&outer));
	hits_b = 0;
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, inner_result, 42);
	KEXPECT_EQ(t, inner.nmissed, 1);	/* hit inside a handler: a miss */
	KEXPECT_EQ(t, inner.nhit, 0);
	KEXPECT_EQ(t, hits_b, 0);
	KEXPECT_EQ(t, kpt_add(1, 2), 3);
	KEXPECT_EQ(t, inner.nhit, 1);
	KEXPECT_EQ(t, kprobe_unregister(&inner), 0);
	KEXPECT_EQ(t, kprobe_unregister(&outer), 0);
	/* registered from a handler: optimized once the hit is over, at the next kprobe call */
	outer = (struct kprobe){ .symbol = "kpt_mov5", .pre_handler = register_inner };
	KEXPECT_EQ(t, kprobe_register(&outer), 0);
	inner_result = -1;
	KEXPECT_EQ(t, run(kpt_mov5), 5);
	KEXPECT_EQ(t, inner_result, 0);
	KEXPECT(t, !is_optimized(&inner));
	KEXPECT(t, !strcmp(kprobe_opt_status(&inner), "not yet (a probe handler is running)"));
	KEXPECT_EQ(t, kprobe_unregister(&outer), 0);
	KEXPECT(t, is_optimized(&inner));
	KEXPECT_EQ(t, kpt_add(2, 3), 5);
	KEXPECT_EQ(t, inner.nhit, 1);
	KEXPECT_EQ(t, kprobe_unregister(&inner), 0);
}

/* A return hook on an asm function enters through a kprobe: optimized, its return address still hooked. */
static unsigned long rh_arg, rh_ret;

static int rh_entry(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
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

	KEXPECT_EQ(t, rethook_register(&rh), 0);
	KEXPECT(t, is_optimized(&rh.entry_kprobe));
	KEXPECT_EQ(t, kpt_add(40, 2), 42);
	KEXPECT_EQ(t, rh.nhit, 1);
	KEXPECT_EQ(t, rh_arg, 40);
	KEXPECT_EQ(t, rh_ret, 42);
	KEXPECT_EQ(t, kpt_add(-5, 2), -3);
	KEXPECT_EQ(t, rh_ret, (unsigned long)-3);
	KEXPECT_EQ(t, rethook_unregister(&rh), 0);
	KEXPECT_EQ(t, kpt_add(1, 2), 3);
	KEXPECT_EQ(t, rh.nhit, 2);
}

/* ---- a fault in a detour's copy ---- */

static void div_by_zero(void *arg)
{
	(void)arg;
	run(kpt_misc);
}

/* kpt_misc divides by %ecx = 3; a pre_handler on the div clears it: #DE in the copy. */
static void test_fault(struct ktest *t)
{
	struct kpt_func f;
	struct fault_record rec;
	struct kprobe kp = { .pre_handler = set_cx };
	unsigned i;

	KEXPECT_EQ(t, kpt_decode_func(kpt_misc, &f), 0);
	for (i = 0; i < f.n; i++) {
		struct insn in;
		uint8_t buf[INSN_MAX_LEN];

		kprobe_read_text(f.insn[i], buf, sizeof(buf));
		if (insn_decode(&in, buf, sizeof(buf), MODE) > 0 && in.opcode == 0xf7 && in.reg == 6)
			break;
	}
	if (!KEXPECT(t, i < f.n))
		return;
	kp.addr = f.insn[i];
	new_cx = 0;
	KEXPECT_EQ(t, kprobe_register(&kp), 0);
	if (!is_optimized(&kp)) {
		ktest_skip(t, "the div in kpt_misc is not optimizable here");
		kprobe_unregister(&kp);
		return;
	}
	KEXPECT_EQ(t, fault_catch(div_by_zero, NULL, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_DE);
	KEXPECT_EQ(t, rec.ip, f.insn[i]);		/* shown at the original div */
	KEXPECT_EQ(t, kp.nhit, 1);
	KEXPECT_EQ(t, kprobe_unregister(&kp), 0);
}

/* ---- compiled code: every instruction, optimized against int3 ---- */

static volatile unsigned long branchy_n, branchy_out;

/* Loops and conditions: the compiler's jmp/jcc land in some optimized ranges. */
static __noinline void branchy(void)
{
	unsigned long n = branchy_n, acc = 0;

	for (unsigned long i = 0; i < n; i++) {
		if (i % 3 == 0)
			acc += i * 7;
		else if (i & 1)
			acc ^= i << 2;
		else
			continue;
		acc += branchy_n;
	}
	branchy_out = acc;
}

/* Does the probe at addr displace a relative branch? */
static int displaces_branch(unsigned long addr)
{
	for (unsigned long pos = addr; pos < addr + JMP_SIZE;) {
		uint8_t buf[INSN_MAX_LEN];
		struct insn in;
		int len;

		kprobe_read_text(pos, buf, sizeof(buf));
		len = insn_decode(&in, buf, sizeof(buf), MODE);
		if (len <= 0)
			return 0;
		if (insn_is_rel_branch(&in))
			return 1;
		pos += (unsigned long)len;
	}
	return 0;
}

/* What the two ways in cannot agree on: how they were entered. */
static void entry_fields_cleared(struct pt_regs *r)
{
	r->vector = r->error_code = r->cs = r->ss = 0;
#if ARCH_BITS == 32
	r->ds = r->es = r->fs = r->gs = 0;
#endif
}

struct branchy_run {
	unsigned long out, hits, regs[KPT_WORDS - KPT_REGS];
	struct pt_regs seen;
};

static int branchy_probed(unsigned long addr, int optimize, struct branchy_run *r)
{
	struct kprobe kp = { .addr = addr, .pre_handler = count_a };
	int was = kprobe_set_optimize(optimize), optimized;

	memset(&seen, 0, sizeof(seen));
	hits_a = 0;
	if (kprobe_register(&kp)) {
		kprobe_set_optimize(was);
		return -1;
	}
	optimized = is_optimized(&kp);
	run(branchy);
	kprobe_unregister(&kp);
	kprobe_set_optimize(was);
	r->out = branchy_out;
	r->hits = hits_a;
	memcpy(r->regs, st + KPT_REGS, sizeof(r->regs));
	r->seen = seen;
	entry_fields_cleared(&r->seen);
	return optimized;
}

static void test_compiled(struct ktest *t)
{
	static struct kpt_func f;
	struct branchy_run want, got;
	unsigned optimized = 0, branches = 0, bad = 0;

	branchy_n = 40;
	if (!KEXPECT_EQ(t, kpt_decode_func(branchy, &f), 0))
		return;
	for (unsigned i = 0; i < f.n; i++) {
		if (branchy_probed(f.insn[i], 0, &want) < 0 || branchy_probed(f.insn[i], 1, &got) != 1)
			continue;
		optimized++;
		branches += displaces_branch(f.insn[i]);
		if (want.out != got.out || want.hits != got.hits || memcmp(want.regs, got.regs, sizeof(want.regs)) ||
		    memcmp(&want.seen, &got.seen, sizeof(want.seen))) {
			bad++;
			ktest_log(t, "branchy+%#lx: %lu hits, out %#lx; as an int3 probe %lu hits, out %#lx; regs %s",
				  f.insn[i] - f.start, got.hits, got.out, want.hits, want.out,
				  memcmp(&want.seen, &got.seen, sizeof(want.seen)) ? "differ" : "agree");
		}
	}
	ktest_log(t, "%u of %u instructions optimized, %u of them displacing a jmp/jcc", optimized, f.n, branches);
	KEXPECT_EQ(t, bad, 0);
	KEXPECT(t, optimized > 5);
	KEXPECT(t, branches > 0);
	KEXPECT_EQ(t, kprobe_count(), 0);
}

/* ---- churn while the target runs ---- */

enum { PA, PC, PCP, PD, PE, NPROBES };
#define CHURN_ITERS	600

static struct {
	struct kprobe kp[NPROBES];
	int on[NPROBES];
	unsigned long expect[NPROBES], got[NPROBES], missed;
	unsigned long optimized[NPROBES], int3[NPROBES];
	int iter, errors, wrong_kind;
	int c_fits;		/* C's 5 bytes end before D (x86_64; on i386 they hold D) */
} ch;

static int churn_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	return 0;
}

static void toggle(int k)
{
	struct kprobe *p = &ch.kp[k];

	if (ch.on[k]) {
		ch.errors += kprobe_unregister(p) != 0;
		ch.got[k] += p->nhit;
		ch.missed += p->nmissed;
	} else {
		ch.errors += kprobe_register(p) != 0;
	}
	ch.on[k] = !ch.on[k];
}

/* What each probe must be now: optimized unless something forbids it. */
static void check_kinds(void)
{
	int want[NPROBES] = {
		[PA] = 1, [PC] = ch.c_fits && !ch.on[PCP], [PCP] = 0, [PD] = !ch.on[PE], [PE] = 1,
	};

	for (int k = 0; k < NPROBES; k++) {
		if (!ch.on[k])
			continue;
		if (is_optimized(&ch.kp[k]) != want[k])
			ch.wrong_kind++;
		ch.optimized[k] += is_optimized(&ch.kp[k]);
		ch.int3[k] += !is_optimized(&ch.kp[k]);
	}
}

/* Called by kpt_churn between A/B and C/D/E of each iteration. */
static void churn_cb(unsigned long *state)
{
	int i = ch.iter++;

	(void)state;
	ch.expect[PA] += ch.on[PA];		/* A ran before this call */
	if (i % 2 == 0)
		toggle(PA);
	if (i % 3 == 0)
		toggle(PCP);
	if (i % 5 == 0)
		toggle(PE);
	check_kinds();
	ch.expect[PC]++;			/* C, D and E run after it */
	ch.expect[PCP] += ch.on[PCP];
	ch.expect[PD]++;
	ch.expect[PE] += ch.on[PE];
}

static void test_churn(struct ktest *t)
{
	struct kpt_func f;
	int e = -1;
	uint8_t copy[128];

	if (!KEXPECT_EQ(t, kpt_decode_func(kpt_churn, &f), 0) || !KEXPECT(t, f.size <= sizeof(copy)))
		return;
	memcpy(copy, kpt_churn, f.size);
	for (unsigned i = 0; i < f.n; i++)
		if (*(uint8_t *)f.insn[i] == 0x75)	/* jnz rel8 */
			e = (int)i;
	if (!KEXPECT(t, e > 8))
		return;
	memset(&ch, 0, sizeof(ch));
	ch.c_fits = f.insn[8] >= f.insn[7] + JMP_SIZE;
	ch.kp[PA] = (struct kprobe){ .addr = f.insn[4], .pre_handler = churn_pre };
	ch.kp[PC] = (struct kprobe){ .addr = f.insn[7], .pre_handler = churn_pre };
	ch.kp[PCP] = (struct kprobe){ .addr = f.insn[7], .pre_handler = churn_pre, .post_handler = nop_post };
	ch.kp[PD] = (struct kprobe){ .addr = f.insn[8], .pre_handler = churn_pre };	/* nop .. jnz */
	ch.kp[PE] = (struct kprobe){ .addr = f.insn[e], .pre_handler = churn_pre };	/* inside D's 5 bytes */
	toggle(PC);
	toggle(PD);
	memset(st, 0, sizeof(st));
	st[KPT_IN] = CHURN_ITERS;
	st[KPT_IN + 1] = (unsigned long)churn_cb;
	kpt_call(kpt_churn, st, KPT_FLAGS);
	KEXPECT_EQ(t, st[KPT_OUT], CHURN_ITERS);
	KEXPECT_EQ(t, st[KPT_OUT + 1], 2 * CHURN_ITERS);
	for (int k = 0; k < NPROBES; k++)
		if (ch.on[k])
			toggle(k);
	KEXPECT_EQ(t, ch.errors, 0);
	KEXPECT_EQ(t, ch.missed, 0);
	KEXPECT_EQ(t, ch.wrong_kind, 0);
	for (int k = 0; k < NPROBES; k++)
		if (!KEXPECT_EQ(t, ch.got[k], ch.expect[k]))
			ktest_log(t, "probe %d: %lu hits, expected %lu", k, ch.got[k], ch.expect[k]);
	/* each optimizable one went back and forth */
	KEXPECT(t, ch.optimized[PA] > 0 && ch.optimized[PE] > 0);
	KEXPECT(t, !ch.c_fits || (ch.optimized[PC] > 0 && ch.int3[PC] > 0));
	KEXPECT(t, ch.optimized[PD] > 0 && ch.int3[PD] > 0);
	ktest_log(t, "D optimized in %lu iterations, an int3 probe in %lu", ch.optimized[PD], ch.int3[PD]);
	KEXPECT_EQ(t, kprobe_count(), 0);
	KEXPECT(t, !memcmp(copy, kpt_churn, f.size));
}

static const struct ktest_case optprobes_cases[] = {
	{ "sweep", test_sweep },
	{ "bytes", test_bytes },
	{ "refused", test_refused },
	{ "regs_redirect", test_regs_redirect },
	{ "inside", test_inside },
	{ "post_disable", test_post_disable },
	{ "windows", test_windows },
	{ "from_handler", test_from_handler },
	{ "rethook", test_rethook },
	{ "fault", test_fault },
	{ "compiled", test_compiled },
	{ "churn", test_churn },
	{ 0 },
};

static const char *one_cpu_only(void)
{
	return nr_cpus_online > 1 ? "several CPUs online: jump optimization is one-CPU only" : NULL;
}

static const struct ktest_suite optprobes_suite = { .name = "optprobes", .cases = optprobes_cases,
						    .skip = one_cpu_only };
KTEST_SUITE(optprobes_suite);
