/*
 * Several CPUs. smp_init (at boot) finds the CPUs in the ACPI MADT and
 * starts up to `cpus=N` of them (kernel/smp/smpboot.c); the others stay
 * parked. Started CPUs (APs) idle with interrupts enabled only inside `hlt`,
 * and run work sent to them by function-call IPI (kernel/smp/smp.c).
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H
#include <stdint.h>
#include "kernel/smp/percpu.h"

/* Interrupt vectors (the IDT has stubs for exceptions and these). */
#define VEC_IPI_CALL	0xf0
#define VEC_SPURIOUS	0xff

enum cpu_state { CPU_PARKED, CPU_FAILED, CPU_ONLINE };

struct cpu {
	uint32_t apic_id;
	enum cpu_state state;
	unsigned long stack_lo, stack_hi;	/* its stack (the boot stack for CPU 0) */
};

extern struct cpu cpus[NR_CPUS];
extern int nr_cpus;		/* entries in cpus[]: usable CPUs in the MADT (at most NR_CPUS) */
extern int nr_cpus_online;

/* Find and start the CPUs (after acpi_init); prints `smp: N of M CPUs online`. */
void smp_init(void);
/* One line per CPU: number, APIC id, state, probe hits served. */
void smp_print_cpus(void);
/*
 * Fault reports (kernel/fault.c): stop every other CPU with an NMI, one
 * at a time, each printing its registers and backtrace first.
 */
void smp_report_others(void);
/* trap_dispatch, for an NMI: 1 if it was smp_report_others' (never returns then). */
int smp_nmi(struct pt_regs *regs);

/*
 * Run fn(arg) on one other CPU (cpu >= 0) or on every other online CPU
 * (cpu = SMP_ALL_OTHERS), from an IPI handler there (interrupts off).
 * Returns once every target has run it when wait is set, else once every
 * target has taken the request. A CPU waiting here serves requests sent to
 * itself meanwhile, so two CPUs calling each other cannot deadlock.
 * Returns the number of CPUs that ran (or took) it.
 */
#define SMP_ALL_OTHERS	(-1)
int smp_call_function(int cpu, void (*fn)(void *), void *arg, int wait);

/*
 * Every other online CPU executes a serializing instruction (the IPI's
 * iret, and cpuid) before this returns: the SDM's rule for code another
 * CPU changed. A no-op with one CPU online.
 */
void smp_sync_cores(void);

/*
 * Quiescent state for probe machinery (see the README): returns once every
 * other online CPU has been seen outside every probe path since the call
 * started. What a writer unpublished before calling may then be freed.
 */
void synchronize_probes(void);
/*
 * Retirement: fn(arg) (a kfree, an execmem_free) once no CPU can still be
 * using what it frees. The writer first unpublishes it (the hit paths can
 * no longer find it), then retires it; retire_flush() - called at the end
 * of every registration call - waits for synchronize_probes() once and
 * runs everything retired since. A full queue flushes on the spot.
 */
void retire(void (*fn)(void *), void *arg);
void retire_kfree(void *p);
void retire_flush(void);
/*
 * Returns once every other CPU has been seen (interrupted) outside [lo, hi)
 * and outside every probe path, once since the call (idle CPUs are): the
 * caller has made sure no CPU can enter the range any more. For a writer about to
 * replace several instructions whose first one already traps (an
 * optprobe's jmp over an armed int3): a CPU that had passed the int3 may
 * still be in the rest, or in a slot or detour that jumps back into it.
 */
void smp_wait_outside(unsigned long lo, unsigned long hi);
/* The probe paths' own say: nonzero while this CPU is inside one. */
int smp_cpu_in_probe_path(unsigned long ip);

/*
 * Longer work for an idle AP: fn(arg) runs from its idle loop with
 * interrupts enabled (so it answers IPIs meanwhile: text_poke's syncs).
 * smp_work_start: 0, or -EBUSY (not online, or still busy with earlier
 * work). smp_work_wait: until that CPU's work has returned.
 */
int smp_work_start(int cpu, void (*fn)(void *), void *arg);
void smp_work_wait(int cpu);

/* Serve a pending function-call request (idle loops, waiting callers). */
void smp_poll(void);
/* An AP with nothing to do: hlt, serving requests. Never returns. */
void smp_idle(void) __attribute__((noreturn));
struct pt_regs;
/* Vectors >= 32 (trap_dispatch). */
void smp_interrupt(struct pt_regs *regs);
/* Invalidate every other CPU's TLB (page attributes changed). */
void smp_flush_tlb_others(void);

/* A spin lock; the holder may be interrupted only by what it allows. */
struct spinlock {
	volatile int locked;
	int owner;		/* cpu number, -1 when free */
	int depth;		/* recursive acquisitions by the owner */
};
#define SPINLOCK_INIT	{ 0, -1, 0 }
/* Recursive on the same CPU; spins serving function-call requests. */
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

#endif
