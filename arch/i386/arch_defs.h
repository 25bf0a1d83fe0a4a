/*
 * i386 definitions shared by C and asm: the register frame every entry path
 * builds (exceptions, int3, the call_to_exception_trampoline) and basic
 * sizes. asm uses the offsets generated from this layout (asm-offsets.h).
 */
#ifndef ARCH_DEFS_H
#define ARCH_DEFS_H

#define ARCH_NAME		"i386"
#define ARCH_BITS		32
#define BOOT_STACK_SIZE		(32 * 1024)
#define PAGE_SIZE		4096

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
#endif

#endif
