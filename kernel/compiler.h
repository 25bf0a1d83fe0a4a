/* Compiler attributes used across the kernel. */
#ifndef KERNEL_COMPILER_H
#define KERNEL_COMPILER_H

/* Never call __fentry__ from this function (tracing machinery, early boot). */
#define notrace		__attribute__((no_instrument_function))
/*
 * Part of the probe machinery: placed in .text.noprobe, which kprobes refuse
 * to touch (the equivalent of Linux's NOKPROBE_SYMBOL), and never traced.
 */
#define __noprobe	__attribute__((section(".text.noprobe"), no_instrument_function))
#define __noreturn	__attribute__((noreturn))
#define __noinline	__attribute__((noinline))
#define __used		__attribute__((used))
#define __aligned(n)	__attribute__((aligned(n)))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define barrier()	asm volatile("" ::: "memory")

#endif
