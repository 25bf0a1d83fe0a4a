/*
 * call_to_exception_trampoline: the one "save a full register frame, call C,
 * restore" path on x86_64. fentry hooks, return hooks (kretprobe-like and
 * function graph) and optimized kprobes all enter here; nothing else builds
 * a pt_regs outside the exception entry.
 *
 * Use it right after a CALL, like this:
 *
 *	push	$desc
 *	jmp	call_to_exception_trampoline
 *
 * desc is a descriptor whose first word is the handler, func; func(regs,
 * desc) gets it too, so a stub per user (kernel/probes/fentry_stub.S: one
 * per fentry site) hands its user over with no lookup.
 *
 * It turns the CALL frame into an exception frame, as if the CALL had been an
 * int3: func(regs) sees regs->ip at the CALL instruction (RET-IP - 5) and
 * regs->sp at the caller's context above RET-IP. func must set regs->ip to
 * where execution continues (just as an int3 handler must advance past the
 * int3), and returns whether the flags in regs must be restored
 * (kernel/arch.h: TRAMPOLINE_RESTORE_FLAGS inside a function,
 * TRAMPOLINE_FLAGS_DEAD at a call boundary - no popfq then; or
 * TRAMPOLINE_CLEAN_RET when it changed no register - less to restore). Registers in
 * regs are restored on the way out; regs->sp may be lowered by at most two
 * words (emulated pushes). Segment registers are not restored.
 */
#include "arch_defs.h"
#include "kernel/frameless.h"
#include "asm-offsets.h"

/* The pushes below build pt_regs from the top; check the layout agrees. */
.if PT_SS != PT_SIZE - 8 || PT_SP != PT_SS - 8 || PT_FLAGS != PT_SP - 8 || \
    PT_CS != PT_FLAGS - 8 || PT_IP != PT_CS - 8 || PT_ERROR_CODE != PT_IP - 8 || \
    PT_VECTOR != PT_ERROR_CODE - 8 || PT_DI != PT_VECTOR - 8 || PT_SI != PT_DI - 8 || \
    PT_DX != PT_SI - 8 || PT_CX != PT_DX - 8 || PT_AX != PT_CX - 8 || PT_R8 != PT_AX - 8 || \
    PT_R9 != PT_R8 - 8 || PT_R10 != PT_R9 - 8 || PT_R11 != PT_R10 - 8 || PT_BX != PT_R11 - 8 || \
    PT_BP != PT_BX - 8 || PT_R12 != PT_BP - 8 || PT_R13 != PT_R12 - 8 || PT_R14 != PT_R13 - 8 || \
    PT_R15 != PT_R14 - 8 || PT_R15 != 0
.error "struct pt_regs layout does not match the trampoline's push order"
.endif

/*
 * Restore every general register but %rax from pt_regs at %rsp (%rax
 * holds regs->sp meanwhile).
 */
.macro RESTORE_GPRS_BUT_AX
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	movq	PT_CX - PT_AX(%rsp), %rcx	/* skip ax: it is restored last */
	movq	PT_DX - PT_AX(%rsp), %rdx
	movq	PT_SI - PT_AX(%rsp), %rsi
	movq	PT_DI - PT_AX(%rsp), %rdi
.endm

	.section .text.noprobe, "ax"
	.globl call_to_exception_trampoline
	.type call_to_exception_trampoline, @function
call_to_exception_trampoline:
	FRAMELESS(call_to_exception_trampoline)	/* bp = regs + 1, as trap_entry */
	/*
	 * On entry:
	 *
	 *	16(%rsp)	<previous context>
	 *	 8(%rsp)	RET-IP
	 *	 0(%rsp)	desc
	 *
	 * transformed into:
	 *
	 *	PT_SIZE+16(%rsp)	<previous context>
	 *	PT_SIZE+8(%rsp)		RET-IP	(later: resume ip)
	 *	PT_SIZE+0(%rsp)		desc	(later: flags to restore)
	 *	PT_SS(%rsp)		ss			(later: rax to restore)
	 *	PT_SP(%rsp)		&<previous context>
	 *	PT_FLAGS(%rsp)		rflags
	 *	PT_CS(%rsp)		cs
	 *	PT_IP(%rsp)		RET-IP - 5 (the CALL)
	 *	PT_ERROR_CODE(%rsp)	0
	 *	PT_VECTOR(%rsp)		PT_VECTOR_CALL
	 *	PT_DI .. PT_R15		general registers
	 */
	pushq	$KERNEL_DS
	pushq	%rsp			/* points at ss ... */
	pushfq				/* (before the add changes them) */
	cld				/* C needs DF clear; an optprobe may hit code that set it */
	addq	$3*8, 8(%rsp)		/* ... now at <previous context> */
	pushq	$KERNEL_CS
	pushq	5*8(%rsp)		/* RET-IP */
	subq	$5, (%rsp)		/* the CALL */
	pushq	$0
	pushq	$PT_VECTOR_CALL
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/*
	 * Encode the frame pointer: an odd %rbp tells the unwinder that it
	 * points one byte past a pt_regs, not at a saved %rbp, so it walks on
	 * into the interrupted code through regs->ip and regs->bp.
	 */
	leaq	1(%rsp), %rbp
	movq	%rsp, %rdi
	movq	PT_SIZE(%rsp), %rsi	/* desc */
	call	*(%rsi)			/* func(regs, desc) */
	.globl call_to_exception_trampoline_return
call_to_exception_trampoline_return:
	/*
	 * Return to regs->ip with %rsp = regs->sp: store the resume ip and
	 * rax (and rflags, when the handler asks for them) just below
	 * regs->sp, restore the rest, then pop those.
	 *
	 *	regs->sp - 8	resume ip	(consumed by ret)
	 *	regs->sp - 16	rax		(popq %rax)	| rflags	(popfq)
	 *	regs->sp - 24					| rax		(popq %rax)
	 *
	 * The handler's return value says whether flags matter: not at a
	 * call boundary (fentry, function return), where popfq would only
	 * cost time; yes for an optimized probe inside a function.
	 */
	cmpl	$TRAMPOLINE_RESTORE_FLAGS, %eax	/* the handler's answer; no mov below touches flags */
	ja	.Lclean
	movq	PT_SP(%rsp), %rax
	movq	PT_IP(%rsp), %rcx
	movq	%rcx, -1*8(%rax)
	je	.Lrestore_flags
	movq	PT_AX(%rsp), %rcx
	movq	%rcx, -2*8(%rax)
	RESTORE_GPRS_BUT_AX
	leaq	-2*8(%rax), %rsp
	popq	%rax
	ret
.Lrestore_flags:
	movq	PT_FLAGS(%rsp), %rcx
	movq	%rcx, -2*8(%rax)
	movq	PT_AX(%rsp), %rcx
	movq	%rcx, -3*8(%rax)
	RESTORE_GPRS_BUT_AX
	leaq	-3*8(%rax), %rsp
	popq	%rax
	popfq
	ret
.Lclean:
	/*
	 * TRAMPOLINE_CLEAN_RET: no register in regs changed, regs->sp did not
	 * move and the resume ip is in the word below it (the CALL's own
	 * RET-IP, or return_trampoline's gap): restore only %rbp (the frame
	 * marker above) and what C may clobber, then ret through that word.
	 * Callee-saved registers still hold their values.
	 */
	movq	PT_BP(%rsp), %rbp
	leaq	PT_R11(%rsp), %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	leaq	PT_SIZE - PT_VECTOR + 8(%rsp), %rsp	/* past vector .. ss and desc */
	ret
	.size call_to_exception_trampoline, . - call_to_exception_trampoline

/* The descriptors of the stubs below: just their handlers. */
	.section .rodata
	.balign 8
return_trampoline_desc:
	.quad	return_trampoline_handler
optprobe_entry_desc:
	.quad	optprobe_handler

	.section .text.noprobe, "ax"
/*
 * return_trampoline: a hooked function's return address is replaced by this
 * address, so its `ret` lands here with the caller's context on top of the
 * stack and no RET-IP: push a gap for one (the handler puts the true return
 * address in regs->ip, which the trampoline writes into the gap).
 *
 *	 8(%rsp)	<previous context>
 *	 0(%rsp)	gap		-> RET-IP slot
 *	-8(%rsp)	desc
 */
	.globl return_trampoline
	.type return_trampoline, @function
return_trampoline:
	pushq	$0
	pushq	$return_trampoline_desc
	jmp	call_to_exception_trampoline
	.size return_trampoline, . - return_trampoline

/*
 * optprobe_entry: an optimized kprobe's detour slot starts with
 * `call optprobe_entry`; regs->ip is then the slot itself (RET-IP - 5) and
 * regs->sp the probed code's stack pointer, RET-IP lying just below it
 * (see kernel/probes/optprobes.c).
 *
 *	 8(%rsp)	<probed code's stack>	<- regs->sp
 *	 0(%rsp)	RET-IP = slot + 5	-> resume ip (regs->ip)
 *	-8(%rsp)	desc
 */
	.globl optprobe_entry
	.type optprobe_entry, @function
optprobe_entry:
	pushq	$optprobe_entry_desc
	jmp	call_to_exception_trampoline
	.size optprobe_entry, . - optprobe_entry

	.section .note.GNU-stack, "", @progbits
