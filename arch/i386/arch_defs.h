/*
 * i386 definitions shared by C and asm: the register frame every entry path
 * builds (exceptions, int3, the call_to_exception_trampoline) and basic
 * sizes. asm uses the offsets generated from this layout (asm-offsets.h).
 */
#ifndef ARCH_DEFS_H
#define ARCH_DEFS_H

#define ARCH_NAME		"i386"
#define ARCH_BITS		32
#define BOOT_STACK_SIZE		(256 * 1024)	/* 1,000-deep hooked recursion tests */
#define PAGE_SIZE		4096
#define KERNEL_CS		0x08	/* GDT selectors (arch/i386/cpu.c) */
#define KERNEL_DS		0x10

#ifndef __ASSEMBLY__
/*
 * Lowest address first. A kernel-mode trap pushes only ip, cs and flags;
 * the entry code fills sp (the interrupted stack pointer) and ss itself, so
 * every pt_regs is complete (the "consistent pt_regs" the seed asks for).
 */
struct pt_regs {
	unsigned long bx, cx, dx, si, di, bp, ax;
	unsigned long ds, es, fs, gs;
	unsigned long vector;		/* exception vector, or PT_VECTOR_CALL */
	unsigned long error_code;	/* CPU error code, or 0 */
	unsigned long ip, cs, flags;
	unsigned long sp, ss;
};

/* arch_setjmp/arch_longjmp (setjmp.S): callee-saved registers, sp, resume ip. */
struct arch_jmp_buf {
	unsigned long bx, si, di, bp, sp, ip;
};

/*
 * Where the n-th integer argument of a function lives at its first
 * instruction (cdecl: on the stack above the return address).
 */
static inline unsigned long *regs_arg_ptr(struct pt_regs *regs, unsigned n)
{
	return (unsigned long *)regs->sp + 1 + n;
}
#endif

#endif
