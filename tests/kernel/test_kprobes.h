/*
 * Between the kprobes self-tests (tests/kernel/test_kprobes.c) and their
 * hand-written targets (arch/<arch>/test_kprobes_targets.S).
 *
 * A target is called through kpt_call(fn, st, flags) with st, an array of
 * KPT_WORDS words, in %rdi / %edi, every other general register holding
 * KPT_MAGIC + its number (encoding order) and the flags register = flags.
 * It reads inputs from st[KPT_IN..], writes results to st[KPT_OUT..] and
 * the string buffer; kpt_call stores the registers it returned with in
 * st[KPT_REGS + n] (n = encoding order; the sp slot holds the arithmetic
 * flags) and returns %rax / %eax.
 */
#ifndef KERNEL_TEST_KPROBES_H
#define KERNEL_TEST_KPROBES_H

#define KPT_IN		0	/* word indices into st */
#define KPT_OUT		8
#define KPT_REGS	32
#define KPT_BUF		48	/* string buffer: words 48 .. 63 */
#define KPT_WORDS	64
#define KPT_MAGIC	0x6b700000
#define KPT_FLAGS	0x2	/* flags at a target's entry: IF, DF, TF clear */
#define KPT_FLAGS_TF	0x100
#define KPT_ARITH_FLAGS	0xcd5	/* CF PF AF ZF SF DF OF */
#define KPT_NOPS	10000	/* nops in kpt_nops10k */

#ifndef __ASSEMBLY__
unsigned long kpt_call(void *fn, unsigned long *st, unsigned long flags);
extern char kpt_call_done[];

/* Swept targets (kpt_call convention). */
extern char kpt_branch[], kpt_stack[], kpt_flags[], kpt_string[], kpt_memref[];
extern char kpt_nops[], kpt_misc[];
/* Small targets of the single-purpose tests (kpt_call convention). */
extern char kpt_mov5[], kpt_redirect[], kpt_churn[], kpt_div[], kpt_sti[];
/* Helpers the targets call (their own conventions). */
extern char kpt_leaf[];
/* Never run: one instruction of each kind kprobes must refuse. */
extern char kpt_refuse[];
/* C-callable. */
long kpt_add(long a, long b);
void kpt_nops10k(void);
/* Memory kpt_memref reads and writes (RIP-relative on x86_64). */
extern unsigned long kpt_data[5];

/* test_kprobes.c, for the other kprobe suites too (tests/kernel/test_optprobes.c). */
struct ktest;

/* A function as a list of instructions, decoded from its kallsyms extent. */
#define KPT_MAX_INSNS	320
struct kpt_func {
	unsigned long start, size;
	unsigned n;
	unsigned long insn[KPT_MAX_INSNS];
};
/* 0, or -1 (unknown, too long or undecodable); reads the text as before any probe. */
int kpt_decode_func(const void *fn, struct kpt_func *f);

/* What the probes of a sweep came out as; the ones not optimized by kprobe_opt_status. */
#define KPT_MAX_REASONS	16
struct kpt_kinds {
	unsigned boosted, sstep, emulated, optimized;
	unsigned nreasons;
	struct { const char *why; unsigned n; } reason[KPT_MAX_REASONS];
};
/*
 * Probe every instruction of each swept target in turn, as the optimize
 * switch stands (kprobe_set_optimize), and check each run against the
 * unprobed one and the single-stepped oracle; an optimized probe also
 * against its int3 version. Counts into *k.
 */
void kpt_sweep(struct ktest *t, int with_post, struct kpt_kinds *k);
#endif

#endif
