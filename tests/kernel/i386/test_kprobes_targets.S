/*
 * Targets of the kprobes self-tests (tests/kernel/test_kprobes.c): hand-written
 * functions holding every instruction kind a probe must copy or emulate.
 * The sweep probes each instruction of the swept ones in turn and compares
 * with an unprobed run; see tests/kernel/test_kprobes.h for the calling
 * convention (st in %edi). Deterministic: no timestamps, no addresses in
 * the results. No sti here (interrupts are not set up; see kpt_sti).
 */
#include "arch_defs.h"
#include "kernel/frameless.h"
#include "tests/kernel/test_kprobes.h"

#define W		4
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
 *	28(%ebp)	flags
 *	24(%ebp)	st
 *	20(%ebp)	fn
 *	16(%ebp)	return address
 *	 0(%ebp)	callee-saved registers (4 words)
 *	st		<- 4(%esp) while fn runs
 *	fn		<- (%esp): called through memory, no register spent
 *	flags		popped into the flags register right before the call
 */
FUNC(kpt_call)
	FRAMELESS(kpt_call)	/* test target: registers are the test data */
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	%esp, %ebp
	pushl	24(%ebp)		/* st */
	pushl	20(%ebp)		/* fn */
	pushl	28(%ebp)		/* flags */
	movl	24(%ebp), %edi
	movl	$MAGIC(0), %eax
	movl	$MAGIC(1), %ecx
	movl	$MAGIC(2), %edx
	movl	$MAGIC(3), %ebx
	movl	$MAGIC(5), %ebp
	movl	$MAGIC(6), %esi
	popfl				/* with TF: the #DB hook sees fn's first instruction first */
	call	*(%esp)
	.globl kpt_call_done
kpt_call_done:
	pushl	%edi
	movl	8(%esp), %edi		/* st */
	movl	%eax, REGS(0)(%edi)
	movl	%ecx, REGS(1)(%edi)
	movl	%edx, REGS(2)(%edi)
	movl	%ebx, REGS(3)(%edi)
	movl	%ebp, REGS(5)(%edi)
	movl	%esi, REGS(6)(%edi)
	movl	(%esp), %eax
	movl	%eax, REGS(7)(%edi)
	pushfl
	popl	%eax
	andl	$KPT_ARITH_FLAGS, %eax
	movl	%eax, REGS(4)(%edi)
	movl	REGS(0)(%edi), %eax
	addl	$12, %esp
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
END(kpt_call)

/* eax = 2 * eax + 1 */
FUNC(kpt_leaf)
	leal	1(%eax,%eax,1), %eax
	ret
END(kpt_leaf)

/* eax = the two words the caller pushed; pops them (ret imm16) */
FUNC(kpt_ret16)
	movl	4(%esp), %eax
	addl	8(%esp), %eax
	ret	$8
END(kpt_ret16)

/* Record whether condition cc holds in byte `at` (mov leaves the flags alone). */
.macro JCC8 cc, at
	j\cc	.Lnot\@
	movb	$1, \at(%edi)
.Lnot\@:
.endm
.macro JCC32 cc, at
	{disp32} j\cc .Lnot\@
	movb	$1, \at(%edi)
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
	pushl	%ebp
	movl	%esp, %ebp
	xorl	%eax, %eax
	jmp	1f				/* jmp rel8 */
	orl	$1, %eax
1:	{disp32} jmp 2f				/* jmp rel32 */
	orl	$2, %eax
2:	movl	IN(0)(%edi), %ecx
	cmpl	IN(1)(%edi), %ecx
	JCC_ALL	JCC8, OUT(0)			/* jcc rel8, 16 conditions */
	cmpl	IN(2)(%edi), %ecx
	JCC_ALL	JCC32, OUT(4)			/* jcc rel32 */
	movl	$5, %ecx
3:	addl	$1, OUT(8)(%edi)
	loop	3b				/* taken 4x, then not */
	movl	$3, %ecx
	xorl	%edx, %edx
4:	incl	%edx
	cmpl	$2, %edx
	loopne	4b				/* ends on ZF */
	movl	%ecx, OUT(9)(%edi)
	movl	$4, %ecx
5:	addl	$1, OUT(10)(%edi)
	cmpl	%ecx, %ecx
	loope	5b				/* ends on ecx == 0 */
	xorl	%ecx, %ecx
	jecxz	6f				/* taken */
	movb	$1, OUT(11)(%edi)
6:	incl	%ecx
	jecxz	7f				/* not taken */
	movb	$1, OUT(11)+1(%edi)
7:	movl	$0x10000, %ecx
	jcxz	8f				/* taken: cx is 0 */
	movb	$1, OUT(11)+2(%edi)
8:	jecxz	9f				/* not taken: ecx is not */
	movb	$1, OUT(11)+3(%edi)
9:	movl	$2, %edx
10:	decl	%edx
	jz	11f
	jmp	10b				/* backward rel8 */
11:	call	kpt_leaf			/* call rel32 */
	pushl	$7
	pushl	$9
	call	kpt_ret16			/* ... and ret imm16 */
	movl	%eax, OUT(12)(%edi)
	movl	$kpt_leaf, %edx
	call	*%edx				/* indirect call, register */
	call	*IN(3)(%edi)			/* indirect call, memory */
	movl	%eax, OUT(13)(%edi)
	movl	IN(0)(%edi), %ecx
	andl	$3, %ecx
	jmp	*.Ljtab(,%ecx,4)		/* indirect jmp, table */
.Lcase0:
	movl	$10, OUT(14)(%edi)
	jmp	12f
.Lcase1:
	movl	$11, OUT(14)(%edi)
	jmp	12f
.Lcase2:
	movl	$12, OUT(14)(%edi)
	jmp	12f
.Lcase3:
	movl	$13, OUT(14)(%edi)
12:	movl	$13f, %edx
	jmp	*%edx				/* indirect jmp, register */
	movb	$1, OUT(15)(%edi)
13:	popl	%ebp
	ret
END(kpt_branch)

	.section .rodata
	.balign 4
.Ljtab:
	.long	.Lcase0, .Lcase1, .Lcase2, .Lcase3
	.text

/* Pushes and pops of every form, pushf/popf, enter/leave, xchg, lea. */
FUNC(kpt_stack)
	pushl	%ebp
	movl	%esp, %ebp
	pushl	%ebx
	pushl	%esi
	pushl	$0x12				/* imm8 */
	pushl	$0x12345678			/* imm32 */
	pushl	$-5				/* imm8, sign-extended */
	popl	%eax
	popl	%ecx
	popl	%edx
	movl	%eax, OUT(0)(%edi)
	movl	%ecx, OUT(1)(%edi)
	movl	%edx, OUT(2)(%edi)
	pushl	%esp				/* the value before the push */
	popl	%eax
	subl	%esp, %eax
	movl	%eax, OUT(3)(%edi)
	movl	IN(0)(%edi), %esi
	pushl	%esi
	popl	%ebx
	pushl	IN(1)(%edi)			/* push memory */
	popl	OUT(4)(%edi)			/* pop memory */
	pushfl
	popl	%eax
	andl	$KPT_ARITH_FLAGS, %eax
	movl	%eax, OUT(5)(%edi)
	stc
	pushfl
	clc
	popfl					/* CF back */
	setc	OUT(6)(%edi)
	enter	$32, $0
	movl	%ebx, -4(%ebp)
	movl	-4(%ebp), %eax
	leave
	xchgl	%eax, %ebx
	xchgl	%eax, OUT(7)(%edi)
	leal	0x10(%ebx,%ebx,4), %eax
	movl	%eax, OUT(8)(%edi)
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
END(kpt_stack)

/*
 * Code whose result depends on the flags: setcc, adc, sbb (cmovcc is i686;
 * this kernel runs on i586, so the i386 version uses a jcc instead and the
 * x86_64 version covers cmovcc).
 */
FUNC(kpt_flags)
	movl	IN(0)(%edi), %eax
	movl	IN(1)(%edi), %ecx
	cmpl	%ecx, %eax
	setl	OUT(0)(%edi)
	setb	OUT(0)+1(%edi)
	seta	OUT(0)+2(%edi)
	sete	OUT(0)+3(%edi)
	jnl	1f
	movl	%ecx, %eax
1:	movl	%eax, OUT(1)(%edi)
	movl	$-1, %edx
	addl	$1, %edx
	adcl	$5, %edx
	sbbl	$1, %edx
	movl	%edx, OUT(2)(%edi)
	stc
	cmc
	setc	OUT(3)(%edi)
	cli					/* IF is clear already */
	btl	$3, %eax
	setc	OUT(3)+1(%edi)
	negl	%ecx
	sets	OUT(3)+2(%edi)
	pushfl
	popl	%eax
	andl	$KPT_ARITH_FLAGS, %eax
	movl	%eax, OUT(4)(%edi)
	ret
END(kpt_flags)

/* String instructions, with and without rep, both directions. */
FUNC(kpt_string)
	movl	%edi, %ebx
	cld
	leal	BUF(%ebx), %edi
	movb	$0x41, %al
	movl	$8, %ecx
	rep stosb
	stosb
	leal	BUF(%ebx), %esi
	leal	BUF+16(%ebx), %edi
	movl	$9, %ecx
	rep movsb
	movl	$2, %ecx
	movl	$0x55667788, %eax
	rep stosl
	stosw
	leal	BUF(%ebx), %esi
	lodsb
	movzbl	%al, %eax
	movl	%eax, OUT(0)(%ebx)
	leal	BUF(%ebx), %esi
	leal	BUF+16(%ebx), %edi
	movl	$9, %ecx
	repe cmpsb
	movl	%ecx, OUT(1)(%ebx)
	leal	BUF+16(%ebx), %edi
	movb	$0x88, %al
	movl	$32, %ecx
	repne scasb
	movl	%ecx, OUT(2)(%ebx)
	std
	leal	BUF+60(%ebx), %edi
	movb	$0x5a, %al
	stosb
	stosb
	cld
	movsb
	movl	%ebx, %edi
	ret
END(kpt_string)

/* Absolute memory operands: loads, stores, read-modify-writes, indirect branches. */
FUNC(kpt_memref)
	FRAMELESS(kpt_memref)	/* test target: registers are the test data */
	movl	kpt_data, %eax
	addl	$1, %eax
	movl	%eax, kpt_data+4
	addl	$7, kpt_data+8
	addl	$0x12345, kpt_data+8
	cmpb	$5, kpt_data
	setne	OUT(0)(%edi)
	movl	$kpt_data, %ecx
	movl	4(%ecx), %edx
	movl	%edx, OUT(1)(%edi)
	incl	kpt_data
	movl	$3, %eax
	call	*kpt_data+12			/* indirect call through memory */
	movl	%eax, OUT(2)(%edi)
	jmp	*kpt_data+16			/* indirect jmp through memory */
	movb	$1, OUT(3)(%edi)
.Lmemref_tail:
	movl	kpt_data, %eax
	ret
END(kpt_memref)

	.data
	.balign 4
	.globl kpt_data
kpt_data:
	.long	5, 0, 0x100, kpt_leaf, .Lmemref_tail
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
	imull	$7, %eax, %ecx
	movl	%ecx, OUT(0)(%edi)
	movl	IN(0)(%edi), %eax
	xorl	%edx, %edx
	movl	$3, %ecx
	divl	%ecx
	movl	%eax, OUT(1)(%edi)
	movl	%edx, OUT(2)(%edi)
	bswapl	%eax
	movzbl	%al, %edx
	movsbl	%dl, %edx
	lock xaddl %edx, OUT(3)(%edi)
	movl	$7, %eax
	lock cmpxchgl %edx, OUT(4)(%edi)
	shll	$3, %edx
	roll	$5, %edx
	sarl	$2, %edx
	movl	%edx, OUT(5)(%edi)
	movl	%edi, %esi
	xorl	%eax, %eax
	cpuid
	movl	%eax, OUT(6)(%esi)
	movl	%esi, %edi
	movb	$0x42, %al
	outb	%al, $0x80
	movl	OUT(1)(%edi), %eax
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
 * IN(0) iterations of: A, then B calls IN(1)(st) (cdecl: the churn callback
 * that registers and unregisters probes on this very loop), then C D E.
 */
FUNC(kpt_churn)
	FRAMELESS(kpt_churn)	/* test target: registers are the test data */
	pushl	%ebx
	pushl	%esi
	movl	%edi, %ebx
	movl	IN(0)(%ebx), %esi
1:	addl	$1, OUT(0)(%ebx)		/* A */
	pushl	%ebx
	call	*IN(1)(%ebx)			/* B */
	addl	$2, OUT(1)(%ebx)		/* C */
	nop					/* D */
	popl	%eax
	decl	%esi
	jnz	1b				/* E */
	movl	%ebx, %edi
	popl	%esi
	popl	%ebx
	ret
END(kpt_churn)

/* 100 / IN(0): #DE when IN(0) is 0. */
FUNC(kpt_div)
	movl	IN(0)(%edi), %ecx
	xorl	%edx, %edx
	movl	$100, %eax
	divl	%ecx
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
	movl	4(%esp), %eax
	addl	8(%esp), %eax
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
	iret
	int	$0x80
	int3
	into
	hlt
	movl	%cr0, %eax
	movl	%eax, %cr3
	movl	%eax, %ds
	popl	%ds
	ljmp	$KERNEL_CS, $0
	ljmp	*(%eax)
	lcall	*(%eax)
	lret
	sysenter
	sysexit
	ud2
	wrmsr
	lgdt	(%eax)
	invlpg	(%eax)
	popfw
	.byte	0x66, 0xe9, 0x00, 0x00		/* jmp rel16 */
END(kpt_refuse)

	.section .note.GNU-stack, "", @progbits
