/*
 * x86_64 definitions shared by C and asm: the register frame every entry
 * path builds (exceptions, int3, the call_to_exception_trampoline) and basic
 * sizes. asm uses the offsets generated from this layout (asm-offsets.h).
 */
#ifndef ARCH_DEFS_H
#define ARCH_DEFS_H

#define ARCH_NAME		"x86_64"
#define ARCH_BITS		64
#define BOOT_STACK_SIZE		(256 * 1024)	/* 1,000-deep hooked recursion tests */
#define PAGE_SIZE		4096
#define KERNEL_CS		0x08	/* GDT selectors (arch/x86_64/cpu.c) */
#define KERNEL_DS		0x10

#ifndef __ASSEMBLY__
/*
 * Lowest address first. The last five words are what the CPU pushes on an
 * exception (ip, cs, flags, sp, ss); the entry code pushes the rest.
 */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di;
	unsigned long vector;		/* exception vector, or PT_VECTOR_CALL */
	unsigned long error_code;	/* CPU error code, or 0 */
	unsigned long ip, cs, flags, sp, ss;
};

/* arch_setjmp/arch_longjmp (setjmp.S): callee-saved registers, sp, resume ip. */
struct arch_jmp_buf {
	unsigned long bx, bp, r12, r13, r14, r15, sp, ip;
};

/*
 * Where the n-th integer argument of a function lives at its first
 * instruction (System V: rdi, rsi, rdx, rcx, r8, r9, then the stack above
 * the return address).
 */
static inline unsigned long *regs_arg_ptr(struct pt_regs *regs, unsigned n)
{
	switch (n) {
	case 0: return &regs->di;
	case 1: return &regs->si;
	case 2: return &regs->dx;
	case 3: return &regs->cx;
	case 4: return &regs->r8;
	case 5: return &regs->r9;
	default: return (unsigned long *)regs->sp + 1 + (n - 6);
	}
}
#endif

#endif
