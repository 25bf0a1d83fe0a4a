/*
 * What CPUs do for each other: function-call IPIs, core serialization for
 * code patching, TLB flushes, quiescent states, spin locks.
 *
 * Function calls: one mailbox per target CPU, written by the one caller
 * that holds call_lock (req), served by the target (taken, then done) from
 * the IPI handler or wherever it polls (its idle loop, a wait here). A
 * caller waiting for the lock or for answers keeps serving its own mailbox.
 *
 * notrace (kernel/notrace.list). The idle loop is ordinary text on purpose:
 * an IPI that interrupts it sees a CPU outside every probe path.
 */
#include "kernel/smp/smp.h"
#include "kernel/arch.h"
#include "kernel/cpu.h"
#include "kernel/dev/apic.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/kprobes.h"
#include "kernel/traps.h"
#include "kernel/tsc.h"
#include "kernel/unwind.h"

struct call_box {
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile unsigned long req, taken, done;
} __aligned(64);

struct work_box {
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile int busy;
	volatile int idle;		/* in its idle loop's hlt (or about to be) */
} __aligned(64);

static struct call_box boxes[NR_CPUS];
static struct work_box works[NR_CPUS];
static struct spinlock call_lock = SPINLOCK_INIT;
static DEFINE_PER_CPU(struct pt_regs *, irq_regs);	/* what the IPI interrupted, NULL when polled */
static DEFINE_PER_CPU(unsigned long, qs_count);		/* quiescent states seen */

extern const char __noprobe_start[], __noprobe_end[];

void __noprobe spin_lock(struct spinlock *l)
{
	int me = smp_processor_id();

	if (l->owner == me) {
		l->depth++;
		return;
	}
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked) {
			smp_poll();
			cpu_relax();
		}
	l->owner = me;
	l->depth = 1;
}

void __noprobe spin_unlock(struct spinlock *l)
{
	if (--l->depth)
		return;
	l->owner = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

void __noprobe smp_poll(void)
{
	struct call_box *b = &boxes[smp_processor_id()];
	unsigned long r = b->req;
	void (*fn)(void *);
	void *arg;

	if (r == b->done)
		return;
	fn = b->fn;
	arg = b->arg;
	b->taken = r;
	fn(arg);
	b->done = r;
}

void __noprobe smp_interrupt(struct pt_regs *regs)
{
	if (regs->vector == VEC_SPURIOUS)
		return;		/* no EOI for a spurious interrupt */
	this_cpu_write(irq_regs, regs);
	smp_poll();
	this_cpu_write(irq_regs, NULL);
	apic_eoi();
}

static __noprobe void sync_core_fn(void *arg);

void smp_idle(void)
{
	struct work_box *w = &works[smp_processor_id()];

	irq_disable();
	for (;;) {
		this_cpu_inc(qs_count);
		smp_poll();
		if (w->busy) {
			irq_enable();
			w->fn(w->arg);
			irq_disable();
			w->busy = 0;
			continue;
		}
		w->idle = 1;
		/* sti's one-instruction shadow: an IPI cannot slip in before hlt */
		asm volatile("sti; hlt; cli" ::: "memory");
		/* Code may have changed while we slept (smp_sync_cores skips idle CPUs). */
		__atomic_exchange_n(&w->idle, 0, __ATOMIC_SEQ_CST);
		sync_core_fn(NULL);
	}
}

/* Which CPUs a call goes to: online, not the caller, cpu (or all), and not idle if skip_idle. */
static __noprobe int is_target(int t, int me, int cpu, int skip_idle)
{
	if (t == me || cpus[t].state != CPU_ONLINE || (cpu >= 0 && t != cpu))
		return 0;
	return !skip_idle || !works[t].idle;
}

static __noprobe int call_cpus(int cpu, int skip_idle, void (*fn)(void *), void *arg, int wait)
{
	unsigned long req[NR_CPUS], flags;
	uint8_t sent[NR_CPUS];
	int me, n = 0;

	if (nr_cpus_online < 2)
		return 0;
	flags = irq_save();
	spin_lock(&call_lock);
	me = smp_processor_id();
	/* The caller's earlier stores (new code) before the reads of idle below. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int t = 0; t < nr_cpus; t++) {
		struct call_box *b = &boxes[t];

		sent[t] = (uint8_t)is_target(t, me, cpu, skip_idle);
		if (!sent[t])
			continue;
		b->fn = fn;
		b->arg = arg;
		req[t] = b->req + 1;
		b->req = req[t];	/* x86 keeps stores in order: fn and arg are there first */
		apic_send(cpus[t].apic_id, APIC_DM_FIXED | VEC_IPI_CALL);
		n++;
	}
	for (int t = 0; t < nr_cpus; t++) {
		struct call_box *b = &boxes[t];

		while (sent[t] && (wait ? b->done : b->taken) != req[t]) {
			smp_poll();
			cpu_relax();
		}
	}
	spin_unlock(&call_lock);
	irq_restore(flags);
	return n;
}

int __noprobe smp_call_function(int cpu, void (*fn)(void *), void *arg, int wait)
{
	return call_cpus(cpu, 0, fn, arg, wait);
}

static __noprobe void nothing_fn(void *arg)
{
	(void)arg;
}

int smp_work_start(int cpu, void (*fn)(void *), void *arg)
{
	struct work_box *w = &works[cpu];

	if (cpu < 0 || cpu >= nr_cpus || cpu == smp_processor_id() || cpus[cpu].state != CPU_ONLINE || w->busy)
		return -EBUSY;
	w->fn = fn;
	w->arg = arg;
	w->busy = 1;
	smp_call_function(cpu, nothing_fn, NULL, 0);	/* out of hlt */
	return 0;
}

void smp_work_wait(int cpu)
{
	while (cpu >= 0 && cpu < nr_cpus && works[cpu].busy) {
		smp_poll();
		cpu_relax();
	}
}

static __noprobe void sync_core_fn(void *arg)
{
	uint32_t r[4];

	(void)arg;
	cpuid(0, r);	/* serializing (so is the iret that ends the IPI) */
}

/*
 * Idle CPUs are left alone: one that wakes serializes itself (smp_idle)
 * after it says it is no longer idle, and the fence in call_cpus orders
 * our code change before we read that it is idle.
 */
void __noprobe smp_sync_cores(void)
{
	call_cpus(SMP_ALL_OTHERS, 1, sync_core_fn, NULL, 1);
}

static __noprobe void flush_tlb_fn(void *arg)
{
	(void)arg;
	write_cr3(read_cr3());
}

void smp_flush_tlb_others(void)
{
	smp_call_function(SMP_ALL_OTHERS, flush_tlb_fn, NULL, 1);
}

/* ---- fault reports: the other CPUs, by NMI ---- */

static volatile int report_cpu = -1, report_done;

int __noprobe smp_nmi(struct pt_regs *regs)
{
	if (report_cpu != smp_processor_id())
		return 0;
	printk("\n*** CPU %d (APIC id %u), stopped by NMI:\n", smp_processor_id(), cpus[smp_processor_id()].apic_id);
	arch_print_regs(regs);
	printk("backtrace:\n");
	unwind_print(regs->ip, regs->bp);
	report_done = 1;
	for (;;)
		cpu_halt();	/* interrupts are off: only another NMI or INIT wakes it */
}

void __noprobe smp_report_others(void)
{
	int me = smp_processor_id();

	for (int t = 0; t < nr_cpus; t++) {
		uint64_t t0 = rdtsc(), limit = (tsc.hz ? tsc.hz : 1000000000ull) * 2;

		if (t == me || cpus[t].state != CPU_ONLINE)
			continue;
		report_done = 0;
		report_cpu = t;
		apic_send(cpus[t].apic_id, APIC_DM_NMI);
		while (!report_done && rdtsc() - t0 < limit)
			cpu_relax();
		if (!report_done)
			printk("\n*** CPU %d (APIC id %u) did not answer the NMI\n", t, cpus[t].apic_id);
	}
	report_cpu = -1;
}

/* ---- quiescent states (see synchronize_probes in smp.h and the README) ---- */

int __noprobe smp_cpu_in_probe_path(unsigned long ip)
{
	if (ip >= (unsigned long)__noprobe_start && ip < (unsigned long)__noprobe_end)
		return 1;	/* the trampolines, entry code, hit paths */
	if (execmem_contains((const void *)ip))
		return 1;	/* an out-of-line copy or a detour */
	return this_cpu_read(hook_active) || kprobe_cpu_busy();
}

/* On each other CPU: count a quiescent state if what the IPI interrupted is outside every probe path. */
static __noprobe void qs_note(void *arg)
{
	struct pt_regs *r = this_cpu_read(irq_regs);

	(void)arg;
	if (!smp_cpu_in_probe_path(r ? r->ip : 0))
		this_cpu_inc(qs_count);
}

struct range_check {
	unsigned long lo, hi;
	volatile uint8_t seen[NR_CPUS];		/* seen outside once: enough, see optimize() */
};

/*
 * In the range, or in a probe path: an out-of-line slot, a detour or a
 * trampoline may resume anywhere, the range included.
 */
static __noprobe void outside_note(void *arg)
{
	struct range_check *r = arg;
	struct pt_regs *regs = this_cpu_read(irq_regs);
	unsigned long ip = regs ? regs->ip : 0;

	if (!(ip >= r->lo && ip < r->hi) && !smp_cpu_in_probe_path(ip))
		r->seen[smp_processor_id()] = 1;
}

void smp_wait_outside(unsigned long lo, unsigned long hi)
{
	struct range_check r = { .lo = lo, .hi = hi };
	int me = smp_processor_id(), left;

	if (nr_cpus_online < 2)
		return;
	do {
		call_cpus(SMP_ALL_OTHERS, 1, outside_note, &r, 1);
		left = 0;
		for (int t = 0; t < nr_cpus; t++)
			left += t != me && cpus[t].state == CPU_ONLINE && !works[t].idle && !r.seen[t];
	} while (left);
}

#define RETIRE_MAX	64

static struct { void (*fn)(void *); void *arg; } retired[RETIRE_MAX];
static int nretired;
static struct spinlock retire_lock = SPINLOCK_INIT;

void retire_flush(void)
{
	spin_lock(&retire_lock);
	if (nretired) {
		synchronize_probes();
		for (int i = 0; i < nretired; i++)
			retired[i].fn(retired[i].arg);
		nretired = 0;
	}
	spin_unlock(&retire_lock);
}

void retire(void (*fn)(void *), void *arg)
{
	spin_lock(&retire_lock);
	if (nretired == RETIRE_MAX)
		retire_flush();
	retired[nretired].fn = fn;
	retired[nretired].arg = arg;
	nretired++;
	spin_unlock(&retire_lock);
}

static void kfree_fn(void *p)
{
	kfree(p);
}

void retire_kfree(void *p)
{
	if (p)
		retire(kfree_fn, p);
}

void synchronize_probes(void)
{
	unsigned long seen[NR_CPUS];
	int me = smp_processor_id(), left;

	if (nr_cpus_online < 2)
		return;
	for (int t = 0; t < nr_cpus; t++)
		seen[t] = *per_cpu_ptr(&qs_count, t);
	do {
		/* An idle CPU is outside every probe path: no need to ask it. */
		call_cpus(SMP_ALL_OTHERS, 1, qs_note, NULL, 1);
		left = 0;
		for (int t = 0; t < nr_cpus; t++)
			if (t != me && cpus[t].state == CPU_ONLINE && !works[t].idle &&
			    *(volatile unsigned long *)per_cpu_ptr(&qs_count, t) == seen[t])
				left++;
	} while (left);
}
