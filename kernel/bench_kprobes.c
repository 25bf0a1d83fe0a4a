/*
 * kprobe scenarios: an empty kprobe on bench_target, boosted, single-stepped
 * (a post_handler) and emulated, and the boosted one with N - 1 other probes
 * registered (on the nops of kpt_nops10k): the hit must cost the same.
 *
 * bench_target starts with its fentry site (a 5-byte nop, which kprobes
 * leave to the fentry machinery), then push %rbp / push %ebp (emulated),
 * then mov %rsp,%rbp / mov %esp,%ebp: the first boostable instruction,
 * where kprobe_boost and kprobe_sstep probe. kprobe_emulate probes the push;
 * kprobe_fentry the fentry site itself (a kprobe there is an ftrace_ops).
 */
#include "kernel/bench.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/kprobes.h"
#include "kernel/mm.h"
#include "kernel/test_kprobes.h"
#include "lib/format.h"
#include "lib/insn.h"
#include "lib/string.h"

#define MODE	(ARCH_BITS == 64 ? INSN_MODE_64 : INSN_MODE_32)

static struct kprobe kp;
static struct kprobe *others;
static unsigned nothers;
static char what_boost[96], what_sstep[96], what_emulate[96];

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

/*
 * Probe the first instruction of bench_target after its fentry site that
 * runs as `kind`; describe it in what.
 */
static int probe_target(const char *kind, int post, char *what, unsigned size)
{
	unsigned long start = (unsigned long)bench_target, pos = start, symsize = 0;
	char where[64];

	sym_lookup(start, NULL, &symsize);
	if (fentry_site_exists(start))
		pos += FENTRY_CALL_SIZE;
	while (pos < start + symsize) {
		struct insn in;
		int len = insn_decode(&in, (const void *)pos, INSN_MAX_LEN, MODE);

		if (len < 0)
			break;
		kp = (struct kprobe){ .addr = pos, .pre_handler = empty_pre, .post_handler = post ? empty_post : NULL };
		if (kprobe_register(&kp) == 0) {
			if (!strcmp(kprobe_kind(&kp), kind)) {
				sym_format(where, sizeof(where), pos);
				snprintf(what, size, "kprobe, %s, empty handler%s, on %s", kind,
					 post ? "s" : "", where);
				return 0;
			}
			kprobe_unregister(&kp);
		}
		pos += len;
	}
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
	int err;

	others = kzalloc(n * sizeof(*others));
	if (!others)
		return -ENOMEM;
	for (nothers = 0; nothers < n - 1; nothers++) {
		others[nothers].addr = (unsigned long)kpt_nops10k + nothers;
		err = kprobe_register(&others[nothers]);
		if (err) {
			teardown();
			return err;
		}
	}
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
