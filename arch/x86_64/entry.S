/*
 * x86_64 exception entry: one stub per vector (0-31) that evens out the
 * frame (a dummy error code where the CPU pushes none, then the vector) and
 * jumps to trap_entry, which builds one struct pt_regs and calls
 * trap_dispatch(regs) (kernel/traps.c). arch/x86_64/cpu.c points the IDT
 * at trap_stub_table. All of it sits in .text.noprobe.
 */
#include "arch_defs.h"
#include "kernel/frameless.h"
#include "asm-offsets.h"

/* vector, error code and the CPU frame (ip cs flags sp ss): the tail of pt_regs */
#define HW_FRAME	(PT_SIZE - PT_VECTOR)
/* Extra dead word in the gap: keeps %rsp 16-byte aligned at the C call. */
#define GAP_PAD		8

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v)	((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text.noprobe, "ax"

.macro TRAP_STUB vec
	.type trap_stub_\vec, @function
trap_stub_\vec:
	.if !HAS_ERROR(\vec)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_entry
	.size trap_stub_\vec, . - trap_stub_\vec
.endm

	.altmacro
.macro TRAP_STUBS from=0, to=31
	TRAP_STUB %\from
	.if \to - \from
	TRAP_STUBS %(\from + 1), \to
	.endif
.endm
	TRAP_STUBS

/* Interrupt vectors (kernel/smp/smp.h): the same frame, vector >= 32. */
	.globl trap_stub_ipi_call, trap_stub_spurious
	.type trap_stub_ipi_call, @function
trap_stub_ipi_call:
	pushq	$0
	pushq	$0xf0			/* VEC_IPI_CALL */
	jmp	trap_entry
	.size trap_stub_ipi_call, . - trap_stub_ipi_call
	.type trap_stub_spurious, @function
trap_stub_spurious:
	pushq	$0
	pushq	$0xff			/* VEC_SPURIOUS */
	jmp	trap_entry
	.size trap_stub_spurious, . - trap_stub_spurious

	.type trap_entry, @function
trap_entry:
	FRAMELESS(trap_entry)	/* bp = regs + 1: the unwinder walks on through regs */
	/*
	 * The CPU aligned %rsp down to 16 bytes and pushed its frame; the
	 * stub added the error code (if the CPU did not) and the vector:
	 *
	 *	regs->sp ->	interrupted stack
	 *			(0 or 8 bytes of alignment)
	 *	48(%rsp)	ss
	 *	40(%rsp)	sp
	 *	32(%rsp)	flags
	 *	24(%rsp)	cs
	 *	16(%rsp)	ip
	 *	 8(%rsp)	error code
	 *	 0(%rsp)	vector
	 *
	 * THE GAP: an int3 handler emulating push/call writes just below
	 * regs->sp, right where this frame is. So copy the seven words down
	 * (each `pushq` reads the word HW_FRAME - 8 + GAP_PAD above the new
	 * top, which walks down the old frame as %rsp walks down) and build
	 * pt_regs below the copy. The old frame plus one pad word become dead
	 * space: 8 words an emulated push may overwrite. iretq returns from
	 * the copy, so a changed regs->sp is simply the %rsp iretq loads.
	 *
	 *	regs->sp ->	interrupted stack
	 *			old frame (7 words) + pad word: the gap
	 *	PT_SS(%rsp)	ss	\
	 *	PT_SP(%rsp)	sp	 |
	 *	PT_FLAGS(%rsp)	flags	 | the copy: tail of pt_regs
	 *	PT_CS(%rsp)	cs	 |
	 *	PT_IP(%rsp)	ip	 |
	 *	PT_ERROR_CODE	error	 |
	 *	PT_VECTOR(%rsp)	vector	/
	 *	PT_DI .. PT_R15		general registers
	 *	0(%rsp) = regs
	 */
	subq	$GAP_PAD, %rsp
	.rept HW_FRAME / 8
	pushq	(HW_FRAME - 8 + GAP_PAD)(%rsp)
	.endr
	subq	$PT_VECTOR, %rsp
	movq	%rdi, PT_DI(%rsp)
	movq	%rsi, PT_SI(%rsp)
	movq	%rdx, PT_DX(%rsp)
	movq	%rcx, PT_CX(%rsp)
	movq	%rax, PT_AX(%rsp)
	movq	%r8, PT_R8(%rsp)
	movq	%r9, PT_R9(%rsp)
	movq	%r10, PT_R10(%rsp)
	movq	%r11, PT_R11(%rsp)
	movq	%rbx, PT_BX(%rsp)
	movq	%rbp, PT_BP(%rsp)
	movq	%r12, PT_R12(%rsp)
	movq	%r13, PT_R13(%rsp)
	movq	%r14, PT_R14(%rsp)
	movq	%r15, PT_R15(%rsp)
	cld
	/*
	 * Encoded frame pointer: %rbp = regs + 1. trap_dispatch saves it as
	 * its caller's frame; the unwinder (kernel/unwind.c) sees an odd saved
	 * bp with a return address in .text.noprobe and walks on through
	 * regs->ip and regs->bp into the interrupted code.
	 */
	leaq	1(%rsp), %rbp
	movq	%rsp, %rdi
	call	trap_dispatch
	/* Back with regs possibly changed (ip, sp, flags, registers). */
	movq	PT_R15(%rsp), %r15
	movq	PT_R14(%rsp), %r14
	movq	PT_R13(%rsp), %r13
	movq	PT_R12(%rsp), %r12
	movq	PT_BP(%rsp), %rbp
	movq	PT_BX(%rsp), %rbx
	movq	PT_R11(%rsp), %r11
	movq	PT_R10(%rsp), %r10
	movq	PT_R9(%rsp), %r9
	movq	PT_R8(%rsp), %r8
	movq	PT_AX(%rsp), %rax
	movq	PT_CX(%rsp), %rcx
	movq	PT_DX(%rsp), %rdx
	movq	PT_SI(%rsp), %rsi
	movq	PT_DI(%rsp), %rdi
	/*
	 *	PT_SS - PT_IP(%rsp)	ss
	 *	PT_SP - PT_IP(%rsp)	sp	(regs->sp, as changed)
	 *	...
	 *	0(%rsp)			ip	<- iretq
	 */
	addq	$PT_IP, %rsp
	iretq
	.size trap_entry, . - trap_entry

/* The IDT's targets, in vector order (arch/x86_64/cpu.c). */
	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:
.macro TRAP_STUB_ADDRS from=0, to=31
	.quad	trap_stub_\from
	.if \to - \from
	TRAP_STUB_ADDRS %(\from + 1), \to
	.endif
.endm
	TRAP_STUB_ADDRS
	.size trap_stub_table, . - trap_stub_table

	.section .note.GNU-stack, "", @progbits
