/*
 * Probes coming and going while every other CPU runs the probed code.
 *
 * The APs call three instrumented functions in a loop and check each
 * result against the same arithmetic done inline (unprobed). Meanwhile
 * CPU 0, for a few seconds per phase, registers and unregisters kprobes at
 * every instruction of them (optimized and not), fentry callbacks, and
 * return hooks. A probe of each kind stays armed for the whole phase and
 * must count exactly the calls the APs made: hits are conserved.
 */
#include "kernel/cmdline.h"
#include "kernel/cpu.h"
#include "kernel/ktest.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/kprobes.h"
#include "kernel/probes/rethook.h"
#include "kernel/smp/smp.h"
#include "kernel/tsc.h"
#include "lib/string.h"
#include "tests/kernel/test_kprobes.h"

#define PHASE_SECONDS	3
#define MIX(a, b)	((a) * 3 + ((b) ^ 0x55) + (((a) ^ (b)) & 1 ? (b) : 7))
#define SUM(n)		({ unsigned long s_ = 0; for (unsigned long i_ = 0; i_ < ((n) & 7); i_++) s_ += i_ * (n); s_; })

__noinline unsigned long cc_mix(unsigned long a, unsigned long b)
{
	return MIX(a, b);
}

__noinline unsigned long cc_sum(unsigned long n)
{
	return SUM(n);
}

__noinline unsigned long cc_chain(unsigned long x)
{
	return cc_mix(x, x + 1) + cc_sum(x);
}

struct ap_stats {
	unsigned long iters, wrong;
} __aligned(64);
static struct ap_stats ap_stats[NR_CPUS];
static volatile int stop;

/* Each call of cc_mix and cc_sum happens twice per iteration (once in cc_chain). */
static notrace void ap_loop(void *arg)
{
	struct ap_stats *st = &ap_stats[smp_processor_id()];
	unsigned long seed = (unsigned long)arg;

	for (unsigned long i = seed; !stop; i++) {
		unsigned long b = i >> 3;

		st->wrong += cc_mix(i, b) != MIX(i, b);
		st->wrong += cc_sum(i) != SUM(i);
		st->wrong += cc_chain(i) != MIX(i, i + 1) + SUM(i);
		st->iters++;
	}
}

static int aps_start(void)
{
	int n = 0;

	stop = 0;
	memset(ap_stats, 0, sizeof(ap_stats));
	for (int c = 1; c < nr_cpus; c++)
		n += smp_work_start(c, ap_loop, (void *)(unsigned long)(c * 1000003)) == 0;
	return n;
}

/* Stop the APs; returns the iterations they made, adds their wrong results to *wrong. */
static unsigned long aps_stop(unsigned long *wrong)
{
	unsigned long iters = 0;

	stop = 1;
	for (int c = 1; c < nr_cpus; c++)
		smp_work_wait(c);
	for (int c = 1; c < nr_cpus; c++) {
		iters += ap_stats[c].iters;
		*wrong += ap_stats[c].wrong;
	}
	return iters;
}

static uint64_t deadline(void)
{
	return rdtsc() + (tsc.hz ? tsc.hz : 1000000000ull) * PHASE_SECONDS;
}

/* ---- the probes that stay armed a whole phase ---- */

static unsigned long kp_hits;

static int count_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)regs;
	counter_inc(p->data);
	return 0;
}

static void count_ftrace(unsigned long ip, unsigned long parent, struct ftrace_ops *ops, struct pt_regs *regs)
{
	(void)ip, (void)parent, (void)regs;
	counter_inc(ops->private);
}

static unsigned long ft_hits, rh_returns, rh_wrong;

static int chain_entry(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh;
	*(unsigned long *)data = *regs_arg_ptr(regs, 0);
	return 0;
}

static void chain_return(struct rethook *rh, struct pt_regs *regs, void *data)
{
	unsigned long x = *(unsigned long *)data;

	(void)rh;
	counter_inc(&rh_returns);
	if (regs->ax != MIX(x, x + 1) + SUM(x))
		counter_inc(&rh_wrong);
}

static struct kprobe keep_kp;
static struct ftrace_ops keep_ops;
static struct rethook keep_rh;

/* Arm one probe of each kind for the phase: a kprobe in cc_sum, a callback on cc_mix, a return hook on cc_chain. */
static int keep_arm(struct ktest *t)
{
	struct kpt_func f;

	kp_hits = ft_hits = rh_returns = rh_wrong = 0;
	if (!KEXPECT_EQ(t, kpt_decode_func(cc_sum, &f), 0) || !KEXPECT(t, f.n > 2))
		return -1;
	keep_kp = (struct kprobe){ .addr = f.insn[1], .pre_handler = count_pre, .data = &kp_hits };
	keep_ops = (struct ftrace_ops){ .func = count_ftrace, .private = &ft_hits };
	keep_rh = (struct rethook){ .symbol = "cc_chain", .entry_handler = chain_entry, .handler = chain_return,
				    .data_size = sizeof(unsigned long) };
	if (!KEXPECT_EQ(t, kprobe_register(&keep_kp), 0))
		return -1;
	if (!KEXPECT_EQ(t, ftrace_ops_register_ip(&keep_ops, (unsigned long)cc_mix), 0))
		return -1;
	return KEXPECT_EQ(t, rethook_register(&keep_rh), 0) ? 0 : -1;
}

/* Disarm them and check every call was counted once: cc_mix and cc_sum run twice an iteration. */
static void keep_check(struct ktest *t, unsigned long iters, const char *phase)
{
	rethook_unregister(&keep_rh);
	ftrace_ops_unregister(&keep_ops);
	kprobe_unregister(&keep_kp);
	ktest_log(t, "%s: %lu iterations; kprobe %lu, fentry %lu, return hook %lu", phase, iters, kp_hits,
		  ft_hits, rh_returns);
	KEXPECT(t, iters > 0);
	KEXPECT_EQ(t, kp_hits, 2 * iters);
	KEXPECT_EQ(t, ft_hits, 2 * iters);
	KEXPECT_EQ(t, keep_ops.hits, 2 * iters);
	KEXPECT_EQ(t, rh_returns, iters);
	KEXPECT_EQ(t, rh_wrong, 0);
	KEXPECT_EQ(t, keep_rh.nmissed, 0);
}

static const char *skip(void)
{
	if (nr_cpus_online < 2)
		return "one CPU online";
	return ktest_skip_if_hook_all();
}

/* ---- phases ---- */

#define MAX_KP	96
static struct kprobe churn_kp[MAX_KP];
static unsigned long churn_hits;

static void test_kprobes_everywhere(struct ktest *t)
{
	static const void *const fns[] = { cc_mix, cc_sum, cc_chain };
	static struct kpt_func f;
	unsigned long iters, wrong = 0, rounds = 0;
	uint64_t end;
	int n = 0, bad = 0, opt = 1;

	for (unsigned i = 0; i < ARRAY_SIZE(fns); i++) {
		if (!KEXPECT_EQ(t, kpt_decode_func(fns[i], &f), 0))
			return;
		for (unsigned k = 0; k < f.n && n < MAX_KP; k++)
			churn_kp[n++] = (struct kprobe){ .addr = f.insn[k], .pre_handler = count_pre,
							 .data = &churn_hits };
	}
	if (keep_arm(t))
		return;
	KEXPECT_EQ(t, aps_start(), nr_cpus_online - 1);
	for (end = deadline(); rdtsc() < end; rounds++) {
		int k = 0;

		while (k < n && rdtsc() < end)		/* a round may take long on a loaded host */
			bad += kprobe_register(&churn_kp[k++]) != 0;
		for (int i = 0; i < k; i++)
			bad += kprobe_unregister(&churn_kp[i]) != 0;
		kprobe_set_optimize(opt ^= 1);		/* every other round: int3 probes only */
	}
	kprobe_set_optimize(1);
	iters = aps_stop(&wrong);
	ktest_log(t, "%lu rounds of %d kprobes on every instruction (%lu hits)", rounds, n, churn_hits);
	KEXPECT(t, rounds > 0);
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_EQ(t, wrong, 0);
	keep_check(t, iters, "kprobes");
}

#define NR_OPS	3
static struct ftrace_ops churn_ops[NR_OPS];
static unsigned long churn_ops_hits;

static void test_fentry_churn(struct ktest *t)
{
	static const void *const fns[NR_OPS] = { cc_mix, cc_sum, cc_chain };
	unsigned long iters, wrong = 0, rounds = 0;
	uint64_t end;
	int bad = 0;

	if (keep_arm(t))
		return;
	KEXPECT_EQ(t, aps_start(), nr_cpus_online - 1);
	for (end = deadline(); rdtsc() < end; rounds++) {
		for (int i = 0; i < NR_OPS; i++) {
			churn_ops[i] = (struct ftrace_ops){ .func = count_ftrace, .private = &churn_ops_hits };
			bad += ftrace_ops_register_ip(&churn_ops[i], (unsigned long)fns[i]) != 0;
		}
		for (int i = 0; i < NR_OPS; i++)
			bad += ftrace_ops_unregister(&churn_ops[i]) != 0;
	}
	iters = aps_stop(&wrong);
	ktest_log(t, "%lu rounds of %d fentry callbacks on and off (%lu calls)", rounds, NR_OPS, churn_ops_hits);
	KEXPECT(t, rounds > 0);
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_EQ(t, wrong, 0);
	keep_check(t, iters, "fentry");
}

static unsigned long churn_rh_returns;

static void count_return(struct rethook *rh, struct pt_regs *regs, void *data)
{
	(void)rh, (void)regs, (void)data;
	counter_inc(&churn_rh_returns);
}

static struct rethook churn_rh[2];

static void test_rethook_churn(struct ktest *t)
{
	static const char *const syms[2] = { "cc_mix", "cc_sum" };
	unsigned long iters, wrong = 0, rounds = 0;
	uint64_t end;
	int bad = 0;

	if (keep_arm(t))
		return;
	KEXPECT_EQ(t, aps_start(), nr_cpus_online - 1);
	for (end = deadline(); rdtsc() < end; rounds++) {
		for (int i = 0; i < 2; i++) {
			churn_rh[i] = (struct rethook){ .symbol = syms[i], .handler = count_return };
			bad += rethook_register(&churn_rh[i]) != 0;
		}
		for (int i = 0; i < 2; i++)
			bad += rethook_unregister(&churn_rh[i]) != 0;
	}
	iters = aps_stop(&wrong);
	ktest_log(t, "%lu rounds of 2 return hooks on and off (%lu returns)", rounds, churn_rh_returns);
	KEXPECT(t, rounds > 0);
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_EQ(t, wrong, 0);
	keep_check(t, iters, "return hooks");
}

static const struct ktest_case cases[] = {
	{ "kprobes_everywhere", test_kprobes_everywhere },
	{ "fentry_churn", test_fentry_churn },
	{ "rethook_churn", test_rethook_churn },
	{ 0 },
};
static const struct ktest_suite smp_probes_suite = { "smp_probes", cases, skip };
KTEST_SUITE(smp_probes_suite);
