/*
 * x86 instructions that are the same on i386 and x86_64: port I/O, CPUID,
 * TSC, control of interrupts. Architecture-specific code lives in arch/.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H
#include <stdint.h>
#include "kernel/compiler.h"

static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, uint32_t r[4]) { cpuid_count(leaf, 0, r); }

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void irq_disable(void) { asm volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { asm volatile("sti" ::: "memory"); }
static inline void cpu_halt(void) { asm volatile("hlt" ::: "memory"); }
static inline void cpu_relax(void) { asm volatile("pause" ::: "memory"); }

/* EFLAGS bits the kernel looks at. */
#define FLAGS_TF	0x100ul		/* trap after each instruction */
#define FLAGS_IF	0x200ul		/* interrupts enabled */

static inline unsigned long read_flags(void)
{
	unsigned long f;

	asm volatile("pushf; pop %0" : "=r"(f) : : "memory");
	return f;
}

/* Interrupts off; irq_restore puts IF back as irq_save found it. */
static inline __attribute__((always_inline)) unsigned long irq_save(void)
{
	unsigned long flags = read_flags();

	irq_disable();
	return flags;
}

static inline __attribute__((always_inline)) void irq_restore(unsigned long flags)
{
	if (flags & FLAGS_IF)
		irq_enable();
}

static inline unsigned long read_cr0(void) { unsigned long v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr2(void) { unsigned long v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr3(void) { unsigned long v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr4(void) { unsigned long v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr3(unsigned long v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(unsigned long v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void write_cr0(unsigned long v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void invlpg(unsigned long va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }

/* Frame pointer of the caller of the function that calls this. */
static inline unsigned long read_frame_pointer(void)
{
	return (unsigned long)__builtin_frame_address(0);
}

#endif
