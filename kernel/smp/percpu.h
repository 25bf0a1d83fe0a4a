/*
 * Per-CPU variables: one copy per CPU of everything declared DEFINE_PER_CPU.
 * They live in .bss.percpu (zero-initialized: there are no initializers);
 * CPU 0 uses the linked copy itself, each other CPU a zeroed copy of the
 * same size made at bring-up. One segment base per CPU holds the distance
 * from the linked copy to its own (x86_64: the GS base; i386: the base of
 * the GDT segment PERCPU_SEL in %fs, 0 on CPU 0), so reading a per-CPU
 * variable is one instruction with a segment prefix, as cheap as a global:
 *
 *	static DEFINE_PER_CPU(int, depth);
 *	this_cpu_write(depth, this_cpu_read(depth) + 1);	(or this_cpu_inc)
 *	int *p = this_cpu_ptr(&depth);		a plain pointer (callbacks)
 *	int *q = per_cpu_ptr(&depth, cpu);	another CPU's copy (summing)
 *
 * Never touch a per-CPU variable by its name in C: that is CPU 0's copy.
 * Everything here is inline: safe in notrace and .text.noprobe code.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H
#include "arch_defs.h"

#define NR_CPUS		64

#define DEFINE_PER_CPU(type, name)	__attribute__((section(".bss.percpu"))) __typeof__(type) name
#define DECLARE_PER_CPU(type, name)	extern __attribute__((section(".bss.percpu"))) __typeof__(type) name

#if ARCH_BITS == 64
#define PERCPU_SEG	"%%gs:"
#else
#define PERCPU_SEG	"%%fs:"
#endif

/* The offset to add to a linked per-CPU address for this CPU's copy; the CPU's number. */
DECLARE_PER_CPU(unsigned long, this_cpu_off);
DECLARE_PER_CPU(int, cpu_number);
/* Probe hits this CPU served (kprobes, fentry hooks, returns): the `cpus` command. */
DECLARE_PER_CPU(unsigned long, cpu_hits);
/* per_cpu_offset[cpu]: the same offset for every CPU (0 for CPU 0). */
extern unsigned long per_cpu_offset[NR_CPUS];

#define this_cpu_read(var) ({						\
	__typeof__(var) v_;						\
	asm("mov " PERCPU_SEG "%1, %0" : "=q"(v_) : "m"(var));		\
	v_; })

/* op is a two-operand instruction without its size suffix (mov, add, sub, or, and). */
#if ARCH_BITS == 64
#define percpu_op8_(op, var, val) \
	case 8: asm volatile(op "q %1, " PERCPU_SEG "%0" : "+m"(var) : "re"((__typeof__(var))(val))); break;
#else
#define percpu_op8_(op, var, val)
#endif
#define percpu_op_(op, var, val) do {								\
	switch (sizeof(var)) {									\
	case 1: asm volatile(op "b %1, " PERCPU_SEG "%0" : "+m"(var) : "qi"((__typeof__(var))(val))); break;	\
	case 2: asm volatile(op "w %1, " PERCPU_SEG "%0" : "+m"(var) : "ri"((__typeof__(var))(val))); break;	\
	case 4: asm volatile(op "l %1, " PERCPU_SEG "%0" : "+m"(var) : "ri"((__typeof__(var))(val))); break;	\
	percpu_op8_(op, var, val)								\
	}											\
} while (0)

#define this_cpu_write(var, val)	percpu_op_("mov", var, val)
#define this_cpu_add(var, val)		percpu_op_("add", var, val)
#define this_cpu_inc(var)		percpu_op_("add", var, 1)
#define this_cpu_dec(var)		percpu_op_("sub", var, 1)

#define this_cpu_ptr(ptr)	((__typeof__(ptr))((unsigned long)(ptr) + this_cpu_read(this_cpu_off)))
#define per_cpu_ptr(ptr, cpu)	((__typeof__(ptr))((unsigned long)(ptr) + per_cpu_offset[cpu]))

/*
 * A counter in a shared object (a probe's hits) that several CPUs bump at
 * once: one locked add, the same single instruction as ++ (but a shared
 * cache line on real hardware).
 */
static inline __attribute__((always_inline)) void counter_inc(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) int smp_processor_id(void)
{
	return this_cpu_read(cpu_number);
}

#endif
