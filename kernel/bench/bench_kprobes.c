/*
 * kprobe scenarios: an empty kprobe on bench_target, boosted, single-stepped
 * (a post_handler), emulated and optimized (a jmp to a detour through the
 * trampoline), and the boosted one with N - 1 other probes registered (on
 * the nops of kpt_nops10k): the hit must cost the same.
 *
 * bench_target starts with its fentry site (a 5-byte nop, which kprobes
 * leave to the fentry machinery), then push %rbp / push %ebp (emulated),
 * then the first boostable instruction, where kprobe_boost and kprobe_sstep
 * probe. kprobe_emulate probes the push; kprobe_fentry the fentry site
 * itself (a kprobe there is an ftrace_ops). The int3 scenarios register
 * with optimization off (their probes stay int3 ones); optprobe probes
 * kprobe_boost's instruction optimized, or if that cannot be, the nearest
 * instruction that can (its "what" says which).
 */
#include "kernel/bench/bench.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/probes/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/probes/kprobes.h"
#include "kernel/mm/mm.h"
#include "tests/kernel/test_kprobes.h"
#include "lib/format.h"
#include "lib/insn.h"
#include "lib/string.h"

#define MODE		(ARCH_BITS == 64 ? INSN_MODE_64 : INSN_MODE_32)
#define MAX_INSNS	32

static struct kprobe kp;
static struct kprobe *others;
static unsigned nothers;
static char what_boost[96], what_sstep[96], what_emulate[96], what_opt[128];

static int empty_pre(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
	return 0;
}

static void empty_post(struct kprobe *p, struct pt_regs *regs)
{
	(void)p;
	(void)regs;
}

/* bench_target's instructions after its fentry site; returns how many. */
static unsigned target_insns(unsigned long *insn)
{
	unsigned long start = (unsigned long)bench_target, pos = start, symsize = 0;
	unsigned n = 0;

	sym_lookup(start, NULL, &symsize);
	if (fentry_site_exists(start))
		pos += FENTRY_CALL_SIZE;
	while (pos < start + symsize && n < MAX_INSNS) {
		uint8_t buf[INSN_MAX_LEN];
		struct insn in;
		int len;

		kprobe_read_text(pos, buf, sizeof(buf));
		len = insn_decode(&in, buf, sizeof(buf), MODE);
		if (len < 0)
			break;
		insn[n++] = pos;
		pos += len;
	}
	return n;
}

/* Register kp at addr: 0 when it runs as `kind`, else it is unregistered again. */
static int probe_as(unsigned long addr, const char *kind, int post)
{
	kp = (struct kprobe){ .addr = addr, .pre_handler = empty_pre, .post_handler = post ? empty_post : NULL };
	if (kprobe_register(&kp))
		return -1;
	if (!strcmp(kprobe_kind(&kp), kind))
		return 0;
	kprobe_unregister(&kp);
	return -1;
}

/*
 * Probe the first instruction of bench_target after its fentry site that
 * runs as `kind`, an int3 kind (registered with optimization off, it stays
 * an int3 probe); describe it in what.
 */
static int probe_target(const char *kind, int post, char *what, unsigned size)
{
	unsigned long insn[MAX_INSNS];
	unsigned n = target_insns(insn);
	int was = kprobe_set_optimize(0);
	char where[64];

	for (unsigned i = 0; i < n; i++) {
		if (probe_as(insn[i], kind, post) == 0) {
			kprobe_set_optimize(was);
			sym_format(where, sizeof(where), insn[i]);
			snprintf(what, size, "kprobe, %s, empty handler%s, on %s", kind, post ? "s" : "", where);
			return 0;
		}
	}
	kprobe_set_optimize(was);
	printk("bench: no %s instruction in bench_target\n", kind);
	return -ENOENT;
}

static void teardown(void)
{
	kprobe_unregister(&kp);
	for (unsigned i = 0; i < nothers; i++)
		kprobe_unregister(&others[i]);
	kfree(others);
	others = NULL;
	nothers = 0;
}

static int setup_boost(void)
{
	return probe_target("boosted", 0, what_boost, sizeof(what_boost));
}

static int setup_sstep(void)
{
	return probe_target("single-step", 1, what_sstep, sizeof(what_sstep));
}

static int setup_emulate(void)
{
	return probe_target("emulated", 0, what_emulate, sizeof(what_emulate));
}

/* kprobe_boost's instruction optimized, else the nearest one (in instructions) that can be. */
static int setup_optprobe(void)
{
	unsigned long insn[MAX_INSNS];
	unsigned n = target_insns(insn), b = 0;
	char where[64];
	int err = probe_target("boosted", 0, what_opt, sizeof(what_opt));

	if (err)
		return err;
	while (b < n && insn[b] != kp.addr)
		b++;
	kprobe_unregister(&kp);
	for (unsigned d = 0; d < n; d++) {
		for (int side = -1; side <= 1; side += 2) {
			long i = (long)b + side * (long)d;

			if (i < 0 || i >= (long)n || (d == 0 && side > 0) || probe_as(insn[i], "optimized", 0))
				continue;
			sym_format(where, sizeof(where), insn[i]);
			snprintf(what_opt, sizeof(what_opt), "kprobe, optimized, empty handler, on %s (%s)", where,
				 d ? "nearest optimizable to kprobe_boost's" : "kprobe_boost's instruction");
			return 0;
		}
	}
	printk("bench: no optimizable instruction in bench_target\n");
	return -ENOENT;
}

static const struct bench_scenario kprobe_boost = {
	.id = "kprobe_boost", .what = what_boost,
	.setup = setup_boost, .run = bench_run_target, .teardown = teardown,
};
BENCH_SCENARIO(kprobe_boost);

static const struct bench_scenario kprobe_sstep = {
	.id = "kprobe_sstep", .what = what_sstep,
	.setup = setup_sstep, .run = bench_run_target, .teardown = teardown,
};
BENCH_SCENARIO(kprobe_sstep);

static const struct bench_scenario kprobe_emulate = {
	.id = "kprobe_emulate", .what = what_emulate,
	.setup = setup_emulate, .run = bench_run_target, .teardown = teardown,
};
BENCH_SCENARIO(kprobe_emulate);

static const struct bench_scenario optprobe = {
	.id = "optprobe", .what = what_opt,
	.setup = setup_optprobe, .run = bench_run_target, .teardown = teardown,
};
BENCH_SCENARIO(optprobe);

static int setup_fentry(void)
{
	kp = (struct kprobe){ .symbol = "bench_target", .pre_handler = empty_pre };
	return kprobe_register(&kp) ? -ENOENT : strcmp(kprobe_kind(&kp), "ftrace") ? -EINVAL : 0;
}

static const struct bench_scenario kprobe_fentry = {
	.id = "kprobe_fentry", .what = "kprobe on bench_target's fentry site (ftrace), empty handler",
	.setup = setup_fentry, .run = bench_run_target, .teardown = teardown,
};
BENCH_SCENARIO(kprobe_fentry);

/* The boosted probe plus n - 1 others on kpt_nops10k. */
static int setup_scale(unsigned n)
{
	int err = 0, was;

	others = kzalloc(n * sizeof(*others));
	if (!others)
		return -ENOMEM;
	was = kprobe_set_optimize(0);		/* int3 probes, like the one measured */
	for (nothers = 0; nothers < n - 1; nothers++) {
		others[nothers].addr = (unsigned long)kpt_nops10k + nothers;
		err = kprobe_register(&others[nothers]);
		if (err)
			break;
	}
	kprobe_set_optimize(was);
	if (!err)
		err = probe_target("boosted", 0, what_boost, sizeof(what_boost));
	if (err)
		teardown();
	return err;
}

#define SCALE(n)							\
static int setup_scale_##n(void) { return setup_scale(n); }		\
static const struct bench_scenario scale_probes_##n = {			\
	.id = "scale_probes_" #n,					\
	.what = "boosted kprobe on bench_target, " #n " kprobes registered", \
	.setup = setup_scale_##n, .run = bench_run_target, .teardown = teardown, \
};									\
BENCH_SCENARIO(scale_probes_##n)

SCALE(1);
SCALE(10);
SCALE(100);
SCALE(1000);
SCALE(10000);
