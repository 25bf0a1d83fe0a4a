/*
 * SMP: the CPUs answer function calls, per-CPU variables are per CPU, and
 * text_poke_bp is safe while every other CPU runs the code it patches.
 * With one CPU online the cases that need others skip.
 */
#include "kernel/cmdline.h"
#include "kernel/cpu.h"
#include "kernel/dev/apic.h"
#include "kernel/ktest.h"
#include "kernel/mm/text_poke.h"
#include "kernel/smp/smp.h"
#include "kernel/tsc.h"
#include "lib/string.h"

/*
 * smp_poke_target(x) returns x + 1; it starts with a 5-byte nop that the
 * text_poke_bp case turns into `jmp smp_poke_twin` and back. The twin
 * returns x + 1 too, and counts its calls. No fentry sites: hook_all
 * leaves them alone.
 */
unsigned long smp_poke_target(unsigned long x);
unsigned long smp_poke_twin(unsigned long x);
unsigned long smp_twin_calls;
#if ARCH_BITS == 64
asm(".pushsection .text\n"
    ".globl smp_poke_target, smp_poke_twin\n"
    ".type smp_poke_target, @function\n"
    "smp_poke_target:\n\t.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\tleaq 1(%rdi), %rax\n\tret\n"
    ".size smp_poke_target, . - smp_poke_target\n"
    ".type smp_poke_twin, @function\n"
    "smp_poke_twin:\n\tlock incq smp_twin_calls(%rip)\n\tleaq 1(%rdi), %rax\n\tret\n"
    ".size smp_poke_twin, . - smp_poke_twin\n"
    ".popsection");
#else
asm(".pushsection .text\n"
    ".globl smp_poke_target, smp_poke_twin\n"
    ".type smp_poke_target, @function\n"
    "smp_poke_target:\n\t.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\tmovl 4(%esp), %eax\n\tincl %eax\n\tret\n"
    ".size smp_poke_target, . - smp_poke_target\n"
    ".type smp_poke_twin, @function\n"
    "smp_poke_twin:\n\tlock incl smp_twin_calls\n\tmovl 4(%esp), %eax\n\tincl %eax\n\tret\n"
    ".size smp_poke_twin, . - smp_poke_twin\n"
    ".popsection");
#endif

static const char *need_two(void)
{
	return nr_cpus_online < 2 ? "one CPU online" : NULL;
}

static DEFINE_PER_CPU(unsigned long, test_var);

struct who {
	int id;
	uint32_t apic;
	unsigned long var, *ptr;
};
static struct who answers[NR_CPUS];
static volatile int calls_seen;

static notrace void who_am_i(void *arg)
{
	struct who *w = &answers[smp_processor_id()];

	(void)arg;
	w->id = smp_processor_id();
	w->apic = apic_id();
	this_cpu_write(test_var, 1000 + w->id);
	w->var = this_cpu_read(test_var);
	w->ptr = this_cpu_ptr(&test_var);
	__atomic_add_fetch(&calls_seen, 1, __ATOMIC_SEQ_CST);
}

/* Every online CPU answers, as itself, with its own per-CPU copy. */
static void test_each_cpu(struct ktest *t)
{
	int n;

	memset(answers, 0, sizeof(answers));
	calls_seen = 0;
	n = smp_call_function(SMP_ALL_OTHERS, who_am_i, NULL, 1);
	who_am_i(NULL);
	KEXPECT_EQ(t, n, nr_cpus_online - 1);
	KEXPECT_EQ(t, calls_seen, nr_cpus_online);
	for (int i = 0; i < nr_cpus; i++) {
		if (cpus[i].state != CPU_ONLINE)
			continue;
		KEXPECT_EQ(t, answers[i].id, i);
		KEXPECT_EQ(t, answers[i].apic, cpus[i].apic_id);
		KEXPECT_EQ(t, answers[i].var, 1000 + i);
		KEXPECT(t, answers[i].ptr == per_cpu_ptr(&test_var, i));
		KEXPECT_EQ(t, *per_cpu_ptr(&test_var, i), 1000 + i);
	}
	KEXPECT_EQ(t, smp_processor_id(), 0);
	KEXPECT(t, this_cpu_ptr(&test_var) == &test_var);	/* CPU 0 uses the linked copy */
}

/* One target at a time, waiting or not. */
static void test_call_one(struct ktest *t)
{
	for (int i = 1; i < nr_cpus; i++) {
		if (cpus[i].state != CPU_ONLINE)
			continue;
		answers[i].id = -1;
		KEXPECT_EQ(t, smp_call_function(i, who_am_i, NULL, 1), 1);
		KEXPECT_EQ(t, answers[i].id, i);
		answers[i].id = -1;
		KEXPECT_EQ(t, smp_call_function(i, who_am_i, NULL, 0), 1);
		smp_call_function(i, who_am_i, NULL, 1);	/* the first has finished by now */
		KEXPECT_EQ(t, answers[i].id, i);
	}
	KEXPECT_EQ(t, smp_call_function(0, who_am_i, NULL, 1), 0);	/* not to itself */
}

/* ---- text_poke_bp under fire ---- */

/*
 * 1,000 patches (3,000 text_pokes, each syncing every CPU), or as many as
 * fit in POKE_SECONDS: on a loaded host multi-threaded TCG answers each
 * IPI only when the host schedules that vCPU. At least POKE_MIN count.
 */
#define POKE_ROUNDS	1000
#define POKE_SECONDS	60
#define POKE_MIN	50

struct poke_stats {
	unsigned long calls, wrong;
} __aligned(64);
static struct poke_stats poke_stats[NR_CPUS];
static volatile int poke_stop;

static notrace void poke_loop(void *arg)
{
	struct poke_stats *st = &poke_stats[smp_processor_id()];

	(void)arg;
	for (unsigned long i = 0; !poke_stop; i++) {
		if (smp_poke_target(i) != i + 1)
			st->wrong++;
		st->calls++;
	}
}

static void test_text_poke_bp(struct ktest *t)
{
	static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	uint8_t jmp[5] = { 0xe9 };
	int32_t rel = (int32_t)((unsigned long)smp_poke_twin - ((unsigned long)smp_poke_target + 5));
	unsigned long calls = 0, wrong = 0, emulated = text_poke_bp_emulated, twin = smp_twin_calls;
	int err = 0, started = 0;

	memcpy(jmp + 1, &rel, 4);
	memset(poke_stats, 0, sizeof(poke_stats));
	poke_stop = 0;
	for (int i = 1; i < nr_cpus; i++)
		started += smp_work_start(i, poke_loop, NULL) == 0;
	KEXPECT_EQ(t, started, nr_cpus_online - 1);
	uint64_t t0 = rdtsc(), limit = (tsc.hz ? tsc.hz : 1000000000ull) * POKE_SECONDS;
	int r;

	for (r = 0; r < POKE_ROUNDS && !err && rdtsc() - t0 < limit; r++)
		err = text_poke_bp((void *)smp_poke_target, r & 1 ? nop5 : jmp, 5, NULL);
	if (!err)
		err = text_poke_bp((void *)smp_poke_target, nop5, 5, NULL);
	poke_stop = 1;
	for (int i = 1; i < nr_cpus; i++)
		smp_work_wait(i);
	KEXPECT_EQ(t, err, 0);
	KEXPECT(t, !memcmp((void *)smp_poke_target, nop5, 5));
	for (int i = 1; i < nr_cpus; i++) {
		if (cpus[i].state != CPU_ONLINE)
			continue;
		KEXPECT(t, poke_stats[i].calls > 0);
		calls += poke_stats[i].calls;
		wrong += poke_stats[i].wrong;
	}
	KEXPECT_EQ(t, wrong, 0);
	KEXPECT_EQ(t, smp_poke_target(41), 42);
	KEXPECT(t, r >= POKE_MIN);
	ktest_log(t, "%d patches, %lu calls on %d CPUs (%lu through the jmp), %lu temporary int3 hits emulated",
		  r + 1, calls, started, smp_twin_calls - twin,
		  text_poke_bp_emulated - emulated);
	KEXPECT(t, smp_twin_calls - twin > 0);
	KEXPECT(t, smp_twin_calls - twin < calls);
}

/* Quiescent states: idle CPUs and CPUs in ordinary code both pass. */
static void test_synchronize(struct ktest *t)
{
	int started = 0;

	synchronize_probes();		/* all idle */
	poke_stop = 0;
	for (int i = 1; i < nr_cpus; i++)
		started += smp_work_start(i, poke_loop, NULL) == 0;
	for (int k = 0; k < 100; k++)
		synchronize_probes();	/* all busy in ordinary code */
	poke_stop = 1;
	for (int i = 1; i < nr_cpus; i++)
		smp_work_wait(i);
	KEXPECT_EQ(t, started, nr_cpus_online - 1);
}

static const struct ktest_case cases[] = {
	{ "each_cpu", test_each_cpu },
	{ "call_one", test_call_one },
	{ "text_poke_bp", test_text_poke_bp },
	{ "synchronize", test_synchronize },
	{ 0 },
};
static const struct ktest_suite smp_suite = { "smp", cases, need_two };
KTEST_SUITE(smp_suite);
