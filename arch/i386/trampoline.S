/*
 * call_to_exception_trampoline: the one "save a full register frame, call C,
 * restore" path on i386. fentry hooks, return hooks (kretprobe-like and
 * function graph) and optimized kprobes all enter here; nothing else builds
 * a pt_regs outside the exception entry.
 *
 * Use it right after a CALL, like this:
 *
 *	push	$desc
 *	jmp	call_to_exception_trampoline
 *
 * desc is a descriptor whose first word is the handler, func; func(regs,
 * desc) gets it too (regparm(2): %eax, %edx), so a stub per user
 * (kernel/probes/fentry_stub.S: one per fentry site) needs no lookup.
 *
 * It turns the CALL frame into an exception frame, as if the CALL had been an
 * int3: func(regs) sees regs->ip at the CALL instruction (RET-IP - 5) and
 * regs->sp at the caller's context above RET-IP (i386 traps do not push sp
 * and ss; this frame has them, like the exception entry's). func must set
 * regs->ip to where execution continues, and returns whether the flags in
 * regs must be restored (kernel/arch.h: TRAMPOLINE_RESTORE_FLAGS inside a
 * function, TRAMPOLINE_FLAGS_DEAD at a call boundary - no popfl then;
 * TRAMPOLINE_CLEAN_RET when it changed no register - less to restore).
 * Registers in regs are restored on the way out; regs->sp may be lowered by
 * at most two words. Segment registers are saved (upper 16 bits undefined)
 * but not restored.
 */
#include "arch_defs.h"
#include "kernel/frameless.h"
#include "asm-offsets.h"

.if PT_SS != PT_SIZE - 4 || PT_SP != PT_SS - 4 || PT_FLAGS != PT_SP - 4 || \
    PT_CS != PT_FLAGS - 4 || PT_IP != PT_CS - 4 || PT_ERROR_CODE != PT_IP - 4 || \
    PT_VECTOR != PT_ERROR_CODE - 4 || PT_GS != PT_VECTOR - 4 || PT_FS != PT_GS - 4 || \
    PT_ES != PT_FS - 4 || PT_DS != PT_ES - 4 || PT_AX != PT_DS - 4 || PT_BP != PT_AX - 4 || \
    PT_DI != PT_BP - 4 || PT_SI != PT_DI - 4 || PT_DX != PT_SI - 4 || PT_CX != PT_DX - 4 || \
    PT_BX != PT_CX - 4 || PT_BX != 0
.error "struct pt_regs layout does not match the trampoline's push order"
.endif

/*
 * Restore every general register but %eax from pt_regs at %esp (%eax
 * holds regs->sp meanwhile).
 */
.macro RESTORE_GPRS_BUT_AX
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
.endm

	.section .text.noprobe, "ax"
	.globl call_to_exception_trampoline
	.type call_to_exception_trampoline, @function
call_to_exception_trampoline:
	FRAMELESS(call_to_exception_trampoline)	/* bp = regs + 1, as trap_entry */
	/*
	 * On entry:
	 *
	 *	8(%esp)		<previous context>
	 *	4(%esp)		RET-IP
	 *	0(%esp)		desc
	 *
	 * transformed into:
	 *
	 *	PT_SIZE+8(%esp)		<previous context>
	 *	PT_SIZE+4(%esp)		RET-IP	(later: resume ip)
	 *	PT_SIZE+0(%esp)		desc	(later: flags to restore)
	 *	PT_SS(%esp)		ss			(later: eax to restore)
	 *	PT_SP(%esp)		&<previous context>
	 *	PT_FLAGS(%esp)		eflags
	 *	PT_CS(%esp)		cs
	 *	PT_IP(%esp)		RET-IP - 5 (the CALL)
	 *	PT_ERROR_CODE(%esp)	0
	 *	PT_VECTOR(%esp)		PT_VECTOR_CALL
	 *	PT_GS .. PT_DS		segment registers
	 *	PT_AX .. PT_BX		general registers
	 */
	pushl	%ss
	pushl	%esp			/* points at ss ... */
	pushfl				/* (before the add changes them) */
	cld				/* C needs DF clear; an optprobe may hit code that set it */
	addl	$3*4, 4(%esp)		/* ... now at <previous context> */
	pushl	%cs
	pushl	5*4(%esp)		/* RET-IP */
	subl	$5, (%esp)		/* the CALL */
	pushl	$0
	pushl	$PT_VECTOR_CALL
	pushl	%gs
	pushl	%fs
	pushl	%es
	pushl	%ds
	pushl	%eax
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%edx
	pushl	%ecx
	pushl	%ebx
	/* An odd %ebp points one byte past a pt_regs (see the unwinder). */
	leal	1(%esp), %ebp
	movl	%esp, %eax
	movl	PT_SIZE(%esp), %edx	/* desc */
	call	*(%edx)			/* func(regs, desc), regparm(2): kernel/arch.h */
	.globl call_to_exception_trampoline_return
call_to_exception_trampoline_return:
	/*
	 * Return to regs->ip with %esp = regs->sp: store the resume ip and
	 * eax (and eflags, when the handler asks for them) just below
	 * regs->sp, restore the rest, then pop those.
	 *
	 *	regs->sp - 4	resume ip	(consumed by ret)
	 *	regs->sp - 8	eax		(popl %eax)	| eflags	(popfl)
	 *	regs->sp - 12					| eax		(popl %eax)
	 *
	 * The handler's return value (%eax) says whether flags matter: not
	 * at a call boundary (fentry, function return); yes for an optimized
	 * probe inside a function.
	 */
	cmpl	$TRAMPOLINE_RESTORE_FLAGS, %eax	/* the handler's answer; no mov below touches flags */
	ja	.Lclean
	movl	PT_SP(%esp), %eax
	movl	PT_IP(%esp), %ecx
	movl	%ecx, -1*4(%eax)
	je	.Lrestore_flags
	movl	PT_AX(%esp), %ecx
	movl	%ecx, -2*4(%eax)
	RESTORE_GPRS_BUT_AX
	leal	-2*4(%eax), %esp
	popl	%eax
	ret
.Lrestore_flags:
	movl	PT_FLAGS(%esp), %ecx
	movl	%ecx, -2*4(%eax)
	movl	PT_AX(%esp), %ecx
	movl	%ecx, -3*4(%eax)
	RESTORE_GPRS_BUT_AX
	leal	-3*4(%eax), %esp
	popl	%eax
	popfl
	ret
.Lclean:
	/*
	 * TRAMPOLINE_CLEAN_RET: no register in regs changed, regs->sp did not
	 * move and the resume ip is in the word below it (the CALL's own
	 * RET-IP, or return_trampoline's gap): restore %ebp (the frame marker
	 * above) and what cdecl C may clobber, then ret through that word.
	 */
	movl	PT_BP(%esp), %ebp
	movl	PT_CX(%esp), %ecx
	movl	PT_DX(%esp), %edx
	movl	PT_AX(%esp), %eax
	leal	PT_SIZE + 4(%esp), %esp		/* past the frame and desc */
	ret
	.size call_to_exception_trampoline, . - call_to_exception_trampoline

/* The descriptors of the stubs below: just their handlers. */
	.section .rodata
	.balign 4
return_trampoline_desc:
	.long	return_trampoline_handler
optprobe_entry_desc:
	.long	optprobe_handler

	.section .text.noprobe, "ax"
/*
 * return_trampoline: a hooked function's `ret` lands here with the caller's
 * context on top and no RET-IP: push a gap for one, then the handler.
 *
 *	 4(%esp)	<previous context>
 *	 0(%esp)	gap		-> RET-IP slot
 *	-4(%esp)	desc
 */
	.globl return_trampoline
	.type return_trampoline, @function
return_trampoline:
	pushl	$0
	pushl	$return_trampoline_desc
	jmp	call_to_exception_trampoline
	.size return_trampoline, . - return_trampoline

/*
 * optprobe_entry: an optimized kprobe's detour slot starts with
 * `call optprobe_entry` (regs->ip = the slot; see kernel/probes/optprobes.c).
 *
 *	 4(%esp)	<probed code's stack>	<- regs->sp
 *	 0(%esp)	RET-IP = slot + 5	-> resume ip (regs->ip)
 *	-4(%esp)	desc
 */
	.globl optprobe_entry
	.type optprobe_entry, @function
optprobe_entry:
	pushl	$optprobe_entry_desc
	jmp	call_to_exception_trampoline
	.size optprobe_entry, . - optprobe_entry

	.section .note.GNU-stack, "", @progbits
