/*
 * Targets of the kprobes self-tests (tests/kernel/test_kprobes.c): hand-written
 * functions holding every instruction kind a probe must copy, relocate or
 * emulate. The sweep probes each instruction of the swept ones in turn and
 * compares with an unprobed run; see tests/kernel/test_kprobes.h for the calling
 * convention (st in %rdi). Deterministic: no timestamps, no addresses in
 * the results. No sti here (interrupts are not set up; see kpt_sti).
 */
#include "arch_defs.h"
#include "kernel/frameless.h"
#include "tests/kernel/test_kprobes.h"

#define W		8
#define IN(n)		((KPT_IN + (n)) * W)
#define OUT(n)		((KPT_OUT + (n)) * W)
#define REGS(n)		((KPT_REGS + (n)) * W)
#define BUF		(KPT_BUF * W)
#define MAGIC(n)	(KPT_MAGIC + (n))

#define FUNC(name)	.globl name; .type name, @function; name:
#define END(name)	.size name, . - name

	.text

/*
 * unsigned long kpt_call(void *fn, unsigned long *st, unsigned long flags)
 *
 *	callee-saved registers
 *	st			<- (%rsp) while fn runs
 *	flags			popped into the flags register right before the call
 */
FUNC(kpt_call)
	FRAMELESS(kpt_call)	/* test target: registers are the test data */
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rsi
	pushq	%rdx
	movq	%rdi, %r11
	movq	%rsi, %rdi
	movq	$MAGIC(0), %rax
	movq	$MAGIC(1), %rcx
	movq	$MAGIC(2), %rdx
	movq	$MAGIC(3), %rbx
	movq	$MAGIC(5), %rbp
	movq	$MAGIC(6), %rsi
	movq	$MAGIC(8), %r8
	movq	$MAGIC(9), %r9
	movq	$MAGIC(10), %r10
	movq	$MAGIC(12), %r12
	movq	$MAGIC(13), %r13
	movq	$MAGIC(14), %r14
	movq	$MAGIC(15), %r15
	popfq				/* with TF: the #DB hook sees fn's first instruction first */
	call	*%r11
	.globl kpt_call_done
kpt_call_done:
	pushq	%rdi
	movq	8(%rsp), %rdi		/* st */
	movq	%rax, REGS(0)(%rdi)
	movq	%rcx, REGS(1)(%rdi)
	movq	%rdx, REGS(2)(%rdi)
	movq	%rbx, REGS(3)(%rdi)
	movq	%rbp, REGS(5)(%rdi)
	movq	%rsi, REGS(6)(%rdi)
	movq	(%rsp), %rax
	movq	%rax, REGS(7)(%rdi)
	movq	%r8, REGS(8)(%rdi)
	movq	%r9, REGS(9)(%rdi)
	movq	%r10, REGS(10)(%rdi)
	movq	%r11, REGS(11)(%rdi)
	movq	%r12, REGS(12)(%rdi)
	movq	%r13, REGS(13)(%rdi)
	movq	%r14, REGS(14)(%rdi)
	movq	%r15, REGS(15)(%rdi)
	pushfq
	popq	%rax
	andq	$KPT_ARITH_FLAGS, %rax
	movq	%rax, REGS(4)(%rdi)
	movq	REGS(0)(%rdi), %rax
	addq	$16, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
END(kpt_call)

/* rax = 2 * rax + 1 */
FUNC(kpt_leaf)
	leaq	1(%rax,%rax,1), %rax
	ret
END(kpt_leaf)

/* rax = the two words the caller pushed; pops them (ret imm16) */
FUNC(kpt_ret16)
	movq	8(%rsp), %rax
	addq	16(%rsp), %rax
	ret	$16
END(kpt_ret16)

/* Record whether condition cc holds in byte `at` (mov leaves the flags alone). */
.macro JCC8 cc, at
	j\cc	.Lnot\@
	movb	$1, \at(%rdi)
.Lnot\@:
.endm
.macro JCC32 cc, at
	{disp32} j\cc .Lnot\@
	movb	$1, \at(%rdi)
.Lnot\@:
.endm
.macro JCC_ALL kind, at
	\kind	o, \at
	\kind	no, \at + 1
	\kind	b, \at + 2
	\kind	ae, \at + 3
	\kind	e, \at + 4
	\kind	ne, \at + 5
	\kind	be, \at + 6
	\kind	a, \at + 7
	\kind	s, \at + 8
	\kind	ns, \at + 9
	\kind	p, \at + 10
	\kind	np, \at + 11
	\kind	l, \at + 12
	\kind	ge, \at + 13
	\kind	le, \at + 14
	\kind	g, \at + 15
.endm

/* Relative and indirect branches, all conditions both ways, loops, calls, returns. */
FUNC(kpt_branch)
	pushq	%rbp
	movq	%rsp, %rbp
	xorl	%eax, %eax
	jmp	1f				/* jmp rel8 */
	orl	$1, %eax
1:	{disp32} jmp 2f				/* jmp rel32 */
	orl	$2, %eax
2:	movq	IN(0)(%rdi), %rcx
	cmpq	IN(1)(%rdi), %rcx
	JCC_ALL	JCC8, OUT(0)			/* jcc rel8, 16 conditions */
	cmpq	IN(2)(%rdi), %rcx
	JCC_ALL	JCC32, OUT(2)			/* jcc rel32 */
	movl	$5, %ecx
3:	addq	$1, OUT(4)(%rdi)
	loop	3b				/* taken 4x, then not */
	movl	$3, %ecx
	xorl	%edx, %edx
4:	incl	%edx
	cmpl	$2, %edx
	loopne	4b				/* ends on ZF */
	movq	%rcx, OUT(5)(%rdi)
	movl	$4, %ecx
5:	addq	$1, OUT(6)(%rdi)
	cmpl	%ecx, %ecx
	loope	5b				/* ends on rcx == 0 */
	xorl	%ecx, %ecx
	jrcxz	6f				/* taken */
	movb	$1, OUT(7)(%rdi)
6:	incl	%ecx
	jrcxz	7f				/* not taken */
	movb	$1, OUT(7)+1(%rdi)
7:	movabsq	$0x100000000, %rcx
	jecxz	8f				/* taken: ecx is 0 */
	movb	$1, OUT(7)+2(%rdi)
8:	jrcxz	9f				/* not taken: rcx is not */
	movb	$1, OUT(7)+3(%rdi)
9:	movl	$2, %edx
10:	decl	%edx
	jz	11f
	jmp	10b				/* backward rel8 */
11:	call	kpt_leaf			/* call rel32 */
	pushq	$7
	pushq	$9
	call	kpt_ret16			/* ... and ret imm16 */
	movq	%rax, OUT(8)(%rdi)
	leaq	kpt_leaf(%rip), %rdx
	call	*%rdx				/* indirect call, register */
	call	*IN(3)(%rdi)			/* indirect call, memory */
	movq	%rax, OUT(9)(%rdi)
	movq	IN(0)(%rdi), %rcx
	andl	$3, %ecx
	jmp	*.Ljtab(,%rcx,8)		/* indirect jmp, table */
.Lcase0:
	movq	$10, OUT(10)(%rdi)
	jmp	12f
.Lcase1:
	movq	$11, OUT(10)(%rdi)
	jmp	12f
.Lcase2:
	movq	$12, OUT(10)(%rdi)
	jmp	12f
.Lcase3:
	movq	$13, OUT(10)(%rdi)
12:	leaq	13f(%rip), %rdx
	jmp	*%rdx				/* indirect jmp, register */
	movb	$1, OUT(11)(%rdi)
13:	popq	%rbp
	ret
END(kpt_branch)

	.section .rodata
	.balign 8
.Ljtab:
	.quad	.Lcase0, .Lcase1, .Lcase2, .Lcase3
	.text

/* Pushes and pops of every form, pushf/popf, enter/leave, xchg, lea. */
FUNC(kpt_stack)
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r15
	pushq	$0x12				/* imm8 */
	pushq	$0x12345678			/* imm32 */
	pushq	$-5				/* imm8, sign-extended */
	popq	%rax
	popq	%rcx
	popq	%rdx
	movq	%rax, OUT(0)(%rdi)
	movq	%rcx, OUT(1)(%rdi)
	movq	%rdx, OUT(2)(%rdi)
	pushq	%rsp				/* the value before the push */
	popq	%rax
	subq	%rsp, %rax
	movq	%rax, OUT(3)(%rdi)
	movq	IN(0)(%rdi), %r12
	pushq	%r12				/* REX.B */
	popq	%r8
	pushq	IN(1)(%rdi)			/* push memory */
	popq	OUT(4)(%rdi)			/* pop memory */
	pushfq
	popq	%rax
	andq	$KPT_ARITH_FLAGS, %rax
	movq	%rax, OUT(5)(%rdi)
	stc
	pushfq
	clc
	popfq					/* CF back */
	setc	OUT(6)(%rdi)
	enter	$32, $0
	movq	%r8, -8(%rbp)
	movq	-8(%rbp), %rax
	leave
	xchgq	%rax, %r8
	xchgq	%rax, OUT(7)(%rdi)
	leaq	0x10(%r8,%r8,4), %rax
	movq	%rax, OUT(8)(%rdi)
	popq	%r15
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
END(kpt_stack)

/* Code whose result depends on the flags: setcc, cmovcc, adc, sbb. */
FUNC(kpt_flags)
	movq	IN(0)(%rdi), %rax
	movq	IN(1)(%rdi), %rcx
	cmpq	%rcx, %rax
	setl	OUT(0)(%rdi)
	setb	OUT(0)+1(%rdi)
	seta	OUT(0)+2(%rdi)
	sete	OUT(0)+3(%rdi)
	cmovlq	%rcx, %rax
	movq	%rax, OUT(1)(%rdi)
	movq	$-1, %rdx
	addq	$1, %rdx
	adcq	$5, %rdx
	sbbq	$1, %rdx
	movq	%rdx, OUT(2)(%rdi)
	stc
	cmc
	setc	OUT(3)(%rdi)
	cli					/* IF is clear already */
	btq	$3, %rax
	setc	OUT(3)+1(%rdi)
	negq	%rcx
	sets	OUT(3)+2(%rdi)
	pushfq
	popq	%rax
	andq	$KPT_ARITH_FLAGS, %rax
	movq	%rax, OUT(4)(%rdi)
	ret
END(kpt_flags)

/* String instructions, with and without rep, both directions. */
FUNC(kpt_string)
	movq	%rdi, %rbx
	cld
	leaq	BUF(%rbx), %rdi
	movb	$0x41, %al
	movl	$8, %ecx
	rep stosb
	stosb
	leaq	BUF(%rbx), %rsi
	leaq	BUF+16(%rbx), %rdi
	movl	$9, %ecx
	rep movsb
	movl	$2, %ecx
	movl	$0x55667788, %eax
	rep stosl
	stosq
	leaq	BUF(%rbx), %rsi
	lodsb
	movzbl	%al, %eax
	movq	%rax, OUT(0)(%rbx)
	leaq	BUF(%rbx), %rsi
	leaq	BUF+16(%rbx), %rdi
	movl	$9, %ecx
	repe cmpsb
	movq	%rcx, OUT(1)(%rbx)
	leaq	BUF+16(%rbx), %rdi
	movb	$0x88, %al
	movl	$32, %ecx
	repne scasb
	movq	%rcx, OUT(2)(%rbx)
	std
	leaq	BUF+60(%rbx), %rdi
	movb	$0x5a, %al
	stosb
	stosb
	cld
	movsb
	movq	%rbx, %rdi
	ret
END(kpt_string)

/* RIP-relative loads, stores, read-modify-writes and indirect branches. */
FUNC(kpt_memref)
	FRAMELESS(kpt_memref)	/* test target: registers are the test data */
	movq	kpt_data(%rip), %rax
	addq	$1, %rax
	movq	%rax, kpt_data+8(%rip)
	addl	$7, kpt_data+16(%rip)		/* disp32 then imm8 */
	addl	$0x12345, kpt_data+16(%rip)	/* disp32 then imm32 */
	cmpb	$5, kpt_data(%rip)
	setne	OUT(0)(%rdi)
	leaq	kpt_data(%rip), %rcx
	movq	8(%rcx), %rdx
	movq	%rdx, OUT(1)(%rdi)
	incq	kpt_data(%rip)
	movq	$3, %rax
	call	*kpt_data+24(%rip)		/* indirect call through RIP-relative memory */
	movq	%rax, OUT(2)(%rdi)
	jmp	*kpt_data+32(%rip)		/* indirect jmp through RIP-relative memory */
	movb	$1, OUT(3)(%rdi)
.Lmemref_tail:
	movq	kpt_data(%rip), %rax
	ret
END(kpt_memref)

	.data
	.balign 8
	.globl kpt_data
kpt_data:
	.quad	5, 0, 0x100, kpt_leaf, .Lmemref_tail
	.size kpt_data, . - kpt_data
	.text

/*
 * Nops of 1 to 11 bytes, xchg %ax,%ax. (No pause: QEMU's TCG skips the
 * single-step trap after one, which would blind the sweep's oracle.)
 */
FUNC(kpt_nops)
	.byte	0x90
	.byte	0x66, 0x90
	.byte	0x0f, 0x1f, 0x00
	.byte	0x0f, 0x1f, 0x40, 0x00
	.byte	0x0f, 0x1f, 0x44, 0x00, 0x00
	.byte	0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00
	.byte	0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00
	.byte	0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
	.byte	0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
	.byte	0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
	.byte	0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
	xchg	%ax, %ax
	movl	$3, %eax
	ret
END(kpt_nops)

/* Arithmetic, lock-prefixed, cpuid, port I/O. */
FUNC(kpt_misc)
	xorl	%eax, %eax
	movl	$5, %eax
	imulq	$7, %rax, %rcx
	movq	%rcx, OUT(0)(%rdi)
	movq	IN(0)(%rdi), %rax
	xorl	%edx, %edx
	movl	$3, %ecx
	divq	%rcx
	movq	%rax, OUT(1)(%rdi)
	movq	%rdx, OUT(2)(%rdi)
	bswapq	%rax
	movzbl	%al, %edx
	movsbq	%dl, %rdx
	lock xaddq %rdx, OUT(3)(%rdi)
	movq	$7, %rax
	lock cmpxchgq %rdx, OUT(4)(%rdi)
	shlq	$3, %rdx
	rolq	$5, %rdx
	sarq	$2, %rdx
	movq	%rdx, OUT(5)(%rdi)
	movq	%rdi, %rsi
	xorl	%eax, %eax
	cpuid
	movl	%eax, OUT(6)(%rsi)
	movq	%rsi, %rdi
	movb	$0x42, %al
	outb	%al, $0x80
	movq	OUT(1)(%rdi), %rax
	ret
END(kpt_misc)

/* kpt_mov5: the register check probes the mov. */
FUNC(kpt_mov5)
	xorl	%eax, %eax
	movl	$5, %eax
	ret
END(kpt_mov5)

/* 12 unprobed; a pre_handler on the second mov may redirect to the ret. */
FUNC(kpt_redirect)
	movl	$1, %eax
	movl	$2, %eax
	addl	$10, %eax
	ret
END(kpt_redirect)

/*
 * IN(0) iterations of: A, then B calls IN(1)(st) (C ABI: the churn callback
 * that registers and unregisters probes on this very loop), then C D E.
 */
FUNC(kpt_churn)
	FRAMELESS(kpt_churn)	/* test target: registers are the test data */
	pushq	%rbx
	pushq	%r12
	movq	%rdi, %rbx
	movq	IN(0)(%rbx), %r12
1:	addq	$1, OUT(0)(%rbx)		/* A */
	movq	%rbx, %rdi
	call	*IN(1)(%rbx)			/* B */
	addq	$2, OUT(1)(%rbx)		/* C */
	nop					/* D */
	decq	%r12
	jnz	1b				/* E */
	movq	%rbx, %rdi
	popq	%r12
	popq	%rbx
	ret
END(kpt_churn)

/* 100 / IN(0): #DE when IN(0) is 0. */
FUNC(kpt_div)
	movq	IN(0)(%rdi), %rcx
	xorl	%edx, %edx
	movl	$100, %eax
	divq	%rcx
	ret
END(kpt_div)

/* sti; cli: the sti's shadow keeps interrupts out; only a post_handler may probe it here. */
FUNC(kpt_sti)
	sti
	cli
	movl	$1, %eax
	ret
END(kpt_sti)

/* long kpt_add(long a, long b): for the rethook (no fentry site) test. */
FUNC(kpt_add)
	leaq	(%rdi,%rsi,1), %rax
	ret
END(kpt_add)

FUNC(kpt_nops10k)
	.rept	KPT_NOPS
	nop
	.endr
	ret
END(kpt_nops10k)

/* Never run: each instruction is one kprobes must refuse. */
FUNC(kpt_refuse)
	iretq
	int	$0x80
	int3
	hlt
	movq	%cr0, %rax
	movq	%rax, %cr3
	movl	%eax, %ds
	ljmp	*(%rax)
	lcall	*(%rax)
	lretq
	syscall
	sysretq
	sysenter
	ud2
	wrmsr
	lgdt	(%rax)
	invlpg	(%rax)
	xbegin	.
	popfw
END(kpt_refuse)

	.section .note.GNU-stack, "", @progbits
