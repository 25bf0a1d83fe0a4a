/*
 * x86_64 definitions shared by C and asm: the register frame every entry
 * path builds (exceptions, int3, the call_to_exception_trampoline) and basic
 * sizes. asm uses the offsets generated from this layout (asm-offsets.h).
 */
#ifndef ARCH_DEFS_H
#define ARCH_DEFS_H

#define ARCH_NAME		"x86_64"
#define ARCH_BITS		64
#define BOOT_STACK_SIZE		(32 * 1024)
#define PAGE_SIZE		4096

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
#endif

#endif
