/*
 * i386 exception entry: one stub per vector (0-31) that evens out the frame
 * (a dummy error code where the CPU pushes none, then the vector) and jumps
 * to trap_entry, which builds one complete struct pt_regs and calls
 * trap_dispatch(regs) (kernel/traps.c). #DF is the exception: it arrives
 * through a task gate (df_task_entry below). arch/i386/cpu.c points the IDT
 * at trap_stub_table. All of it sits in .text.noprobe.
 */
#include "arch_defs.h"
#include "kernel/frameless.h"
#include "asm-offsets.h"

/* vector, error code and the CPU frame (ip cs flags): no sp/ss kernel->kernel */
#define HW_FRAME	(PT_SP - PT_VECTOR)
/* sp and ss, which the entry code adds itself */
#define SP_SS		(PT_SIZE - PT_SP)
/*
 * Dead words between pt_regs and the interrupted stack besides the old
 * frame: room for emulated pushes (below) and the return path's 4 words.
 */
#define GAP_PAD		12

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v)	((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text.noprobe, "ax"

.macro TRAP_STUB vec
	.type trap_stub_\vec, @function
trap_stub_\vec:
	.if !HAS_ERROR(\vec)
	pushl	$0
	.endif
	pushl	$\vec
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
	pushl	$0
	pushl	$0xf0			/* VEC_IPI_CALL */
	jmp	trap_entry
	.size trap_stub_ipi_call, . - trap_stub_ipi_call
	.type trap_stub_spurious, @function
trap_stub_spurious:
	pushl	$0
	pushl	$0xff			/* VEC_SPURIOUS */
	jmp	trap_entry
	.size trap_stub_spurious, . - trap_stub_spurious

	.type trap_entry, @function
trap_entry:
	FRAMELESS(trap_entry)	/* bp = regs + 1: the unwinder walks on through regs */
	/*
	 * A kernel->kernel trap pushes only flags, cs, ip (+ error code); the
	 * stub added the error code (if the CPU did not) and the vector:
	 *
	 *	regs->sp ->	interrupted stack	(= V + HW_FRAME)
	 *	16(%esp)	flags
	 *	12(%esp)	cs
	 *	 8(%esp)	ip
	 *	 4(%esp)	error code
	 *	 0(%esp)	vector			(= V)
	 *
	 * Build a COMPLETE pt_regs (sp = the interrupted esp, ss) below a gap:
	 * an int3 handler emulating push/call writes just below regs->sp,
	 * i.e. over this frame, so the frame is copied down. `pushl %esp`
	 * pushes esp as it was before the push; each copying `pushl` reads
	 * the word HW_FRAME - 4 + GAP_PAD + SP_SS above the new top, which
	 * walks down the old frame as %esp walks down.
	 *
	 *	regs->sp ->	interrupted stack
	 *			old frame (5 words) + GAP_PAD: the gap (8 words)
	 *	PT_SS(%esp)	ss
	 *	PT_SP(%esp)	sp = V + HW_FRAME
	 *	PT_FLAGS(%esp)	flags	\
	 *	PT_CS(%esp)	cs	 |
	 *	PT_IP(%esp)	ip	 | the copy
	 *	PT_ERROR_CODE	error	 |
	 *	PT_VECTOR(%esp)	vector	/
	 *	PT_GS .. PT_DS	segment registers
	 *	PT_AX .. PT_BX	general registers
	 *	0(%esp) = regs
	 */
	subl	$GAP_PAD, %esp
	pushl	%ss			/* slot for ss: filled properly below */
	pushl	%esp
	addl	$(GAP_PAD + 4 + HW_FRAME), (%esp)	/* = V + HW_FRAME */
	.rept HW_FRAME / 4
	pushl	(HW_FRAME - 4 + GAP_PAD + SP_SS)(%esp)
	.endr
	subl	$PT_VECTOR, %esp
	movl	%eax, PT_AX(%esp)
	movl	%ebx, PT_BX(%esp)
	movl	%ecx, PT_CX(%esp)
	movl	%edx, PT_DX(%esp)
	movl	%esi, PT_SI(%esp)
	movl	%edi, PT_DI(%esp)
	movl	%ebp, PT_BP(%esp)
	/* mov from a segment register to a 32-bit register zero-extends */
	movl	%ds, %eax
	movl	%eax, PT_DS(%esp)
	movl	%es, %eax
	movl	%eax, PT_ES(%esp)
	movl	%fs, %eax
	movl	%eax, PT_FS(%esp)
	movl	%gs, %eax
	movl	%eax, PT_GS(%esp)
	movl	%ss, %eax
	movl	%eax, PT_SS(%esp)
	cld
	/*
	 * Encoded frame pointer: %ebp = regs + 1. trap_dispatch saves it as
	 * its caller's frame; the unwinder (kernel/unwind.c) sees an odd saved
	 * bp with a return address in .text.noprobe and walks on through
	 * regs->ip and regs->bp into the interrupted code.
	 */
	leal	1(%esp), %ebp
	movl	%esp, %eax
	pushl	%eax			/* trap_dispatch(regs) */
	call	trap_dispatch
	addl	$4, %esp
	/*
	 * Return, honouring a changed regs->sp: write the iret frame and eax
	 * just below regs->sp (the gap, or whatever the handler moved sp to),
	 * restore everything else, switch to that frame, pop eax, iret.
	 *
	 *	regs->sp ->	interrupted stack (as changed)
	 *	-4		flags
	 *	-8		cs
	 *	-12		ip
	 *	-16		eax	<- %esp before popl %eax; iret
	 *
	 * These four writes stay clear of pt_regs while the handler lowered
	 * regs->sp by at most 4 words (GAP_PAD / 4 + 1): the limit on emulated
	 * pushes.
	 */
	movl	PT_SP(%esp), %eax
	subl	$16, %eax
	movl	PT_FLAGS(%esp), %ecx
	movl	%ecx, 12(%eax)
	movl	PT_CS(%esp), %ecx
	movl	%ecx, 8(%eax)
	movl	PT_IP(%esp), %ecx
	movl	%ecx, 4(%eax)
	movl	PT_AX(%esp), %ecx
	movl	%ecx, 0(%eax)
	/*
	 * Segment registers are saved for fault reports but not restored: the
	 * kernel's flat segments never change, and a segment load costs far
	 * more than its one instruction on real CPUs (as in the trampoline).
	 */
	movl	PT_BX(%esp), %ebx
	movl	PT_CX(%esp), %ecx
	movl	PT_DX(%esp), %edx
	movl	PT_SI(%esp), %esi
	movl	PT_DI(%esp), %edi
	movl	PT_BP(%esp), %ebp
	movl	%eax, %esp
	popl	%eax
	iret
	.size trap_entry, . - trap_entry

/*
 * #DF arrives through a task gate: the CPU saved the faulting state in the
 * main TSS and loaded the double-fault TSS (its own stack, so a stack
 * overflow into a guard page is reported instead of triple-faulting).
 * %ebp starts at 0, ending any backtrace of this task's own frames.
 *
 *	0(%esp)		error code (always 0 for #DF)
 */
	.globl df_task_entry
	.type df_task_entry, @function
df_task_entry:
	FRAMELESS(df_task_entry)	/* a task of its own; bp = 0 ends its backtrace */
	call	df_task_main		/* arch/i386/cpu.c; does not return */
1:	cli
	hlt
	jmp	1b
	.size df_task_entry, . - df_task_entry

/* The IDT's targets, in vector order (arch/i386/cpu.c). */
	.section .rodata
	.balign 4
	.globl trap_stub_table
trap_stub_table:
.macro TRAP_STUB_ADDRS from=0, to=31
	.long	trap_stub_\from
	.if \to - \from
	TRAP_STUB_ADDRS %(\from + 1), \to
	.endif
.endm
	TRAP_STUB_ADDRS
	.size trap_stub_table, . - trap_stub_table

	.section .note.GNU-stack, "", @progbits
