/*
 * arch_setjmp / arch_longjmp: just enough of setjmp for fault_catch() to get
 * back out of a faulting function. Saves the callee-saved registers, the
 * stack pointer and the return address into a struct arch_jmp_buf.
 *
 *	int  arch_setjmp(struct arch_jmp_buf *jb);		0 first, val after longjmp
 *	void arch_longjmp(struct arch_jmp_buf *jb, int val);	val 0 becomes 1
 */
#include "arch_defs.h"
#include "asm-offsets.h"

	.section .text.noprobe, "ax"
	.globl arch_setjmp
	.type arch_setjmp, @function
arch_setjmp:
	movq	%rbx, JB_BX(%rdi)
	movq	%rbp, JB_BP(%rdi)
	movq	%r12, JB_R12(%rdi)
	movq	%r13, JB_R13(%rdi)
	movq	%r14, JB_R14(%rdi)
	movq	%r15, JB_R15(%rdi)
	leaq	8(%rsp), %rdx		/* the caller's sp after our ret */
	movq	%rdx, JB_SP(%rdi)
	movq	(%rsp), %rdx		/* our return address */
	movq	%rdx, JB_IP(%rdi)
	xorl	%eax, %eax
	ret
	.size arch_setjmp, . - arch_setjmp

	.globl arch_longjmp
	.type arch_longjmp, @function
arch_longjmp:
	/*
	 * Coming from an IST exception (#DF), %ss may be null: QEMU loads a
	 * null %ss on an IST stack switch and only iretq would restore it.
	 */
	movl	$KERNEL_DS, %edx
	movl	%edx, %ss
	movl	%esi, %eax
	testl	%eax, %eax
	jnz	1f
	incl	%eax
1:	movq	JB_BX(%rdi), %rbx
	movq	JB_BP(%rdi), %rbp
	movq	JB_R12(%rdi), %r12
	movq	JB_R13(%rdi), %r13
	movq	JB_R14(%rdi), %r14
	movq	JB_R15(%rdi), %r15
	movq	JB_SP(%rdi), %rsp
	jmp	*JB_IP(%rdi)
	.size arch_longjmp, . - arch_longjmp

	.section .note.GNU-stack, "", @progbits
