/*
 * arch_setjmp / arch_longjmp: just enough of setjmp for fault_catch() to get
 * back out of a faulting function. Saves the callee-saved registers, the
 * stack pointer and the return address into a struct arch_jmp_buf.
 *
 *	int  arch_setjmp(struct arch_jmp_buf *jb);		0 first, val after longjmp
 *	void arch_longjmp(struct arch_jmp_buf *jb, int val);	val 0 becomes 1
 *
 * cdecl: 4(%esp) = jb, 8(%esp) = val.
 */
#include "asm-offsets.h"

	.section .text.noprobe, "ax"
	.globl arch_setjmp
	.type arch_setjmp, @function
arch_setjmp:
	movl	4(%esp), %eax
	movl	%ebx, JB_BX(%eax)
	movl	%esi, JB_SI(%eax)
	movl	%edi, JB_DI(%eax)
	movl	%ebp, JB_BP(%eax)
	leal	4(%esp), %ecx		/* the caller's sp after our ret */
	movl	%ecx, JB_SP(%eax)
	movl	(%esp), %ecx		/* our return address */
	movl	%ecx, JB_IP(%eax)
	xorl	%eax, %eax
	ret
	.size arch_setjmp, . - arch_setjmp

	.globl arch_longjmp
	.type arch_longjmp, @function
arch_longjmp:
	movl	4(%esp), %edx
	movl	8(%esp), %eax
	testl	%eax, %eax
	jnz	1f
	incl	%eax
1:	movl	JB_BX(%edx), %ebx
	movl	JB_SI(%edx), %esi
	movl	JB_DI(%edx), %edi
	movl	JB_BP(%edx), %ebp
	movl	JB_SP(%edx), %esp
	jmp	*JB_IP(%edx)
	.size arch_longjmp, . - arch_longjmp

	.section .note.GNU-stack, "", @progbits
