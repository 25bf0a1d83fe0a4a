/*
 * Register-level pieces of the "traps" self-tests (tests/kernel/test_traps.c):
 * hand-placed int3s whose hooks check and change pt_regs, and deliberate
 * faults that need exact instructions. Globals named test_* are read by the
 * C side. cdecl: the first argument is at 4(%esp).
 */
#include "arch_defs.h"
#include "asm-offsets.h"

/* register r holds TEST_MAGIC + PT_<r> at the int3 in test_int3_regs */
#define TEST_MAGIC	0x5eed0000
/* ... except that the hook flips these bits of regs->dx */
#define TEST_DX_FLIP	0xffff

	.text

/*
 * unsigned long test_int3_regs(void): load known values into every general
 * register, int3 (a hook checks them in pt_regs and flips regs->dx), then
 * check what came back: returns 0 when every register is as expected.
 */
	.globl test_int3_regs, test_int3_regs_after
	.type test_int3_regs, @function
test_int3_regs:
	pushl	%ebp
	movl	%esp, %ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	$(TEST_MAGIC + PT_AX), %eax
	movl	$(TEST_MAGIC + PT_BX), %ebx
	movl	$(TEST_MAGIC + PT_CX), %ecx
	movl	$(TEST_MAGIC + PT_DX), %edx
	movl	$(TEST_MAGIC + PT_SI), %esi
	movl	$(TEST_MAGIC + PT_DI), %edi
	movl	%esp, test_int3_sp
	movl	%ebp, test_int3_bp
	int3
test_int3_regs_after:
	movl	%esp, test_int3_sp_after
	/* count the registers that do not hold what they should */
	pushl	%eax
	xorl	%eax, %eax
	cmpl	$(TEST_MAGIC + PT_BX), %ebx
	setne	%al
	addl	%eax, test_int3_bad
	cmpl	$(TEST_MAGIC + PT_CX), %ecx
	setne	%al
	addl	%eax, test_int3_bad
	cmpl	$((TEST_MAGIC + PT_DX) ^ TEST_DX_FLIP), %edx
	setne	%al
	addl	%eax, test_int3_bad
	cmpl	$(TEST_MAGIC + PT_SI), %esi
	setne	%al
	addl	%eax, test_int3_bad
	cmpl	$(TEST_MAGIC + PT_DI), %edi
	setne	%al
	addl	%eax, test_int3_bad
	cmpl	%ebp, test_int3_bp
	setne	%al
	addl	%eax, test_int3_bad
	movl	%ds, %ecx		/* segment registers came back too */
	cmpl	$KERNEL_DS, %ecx
	setne	%al
	addl	%eax, test_int3_bad
	movl	%es, %ecx
	cmpl	$KERNEL_DS, %ecx
	setne	%al
	addl	%eax, test_int3_bad
	popl	%ecx			/* eax as it came back */
	xorl	%eax, %eax
	cmpl	$(TEST_MAGIC + PT_AX), %ecx
	setne	%al
	addl	test_int3_bad, %eax
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
	.size test_int3_regs, . - test_int3_regs

/*
 * unsigned long test_emulate_call(void): int3, which a hook turns into a
 * call of test_emu_target returning to test_emu_call_ret (right after the
 * int3). Returns what test_emu_target left in eax.
 */
	.globl test_emulate_call, test_emu_call_ret, test_emu_target
	.type test_emulate_call, @function
test_emulate_call:
	pushl	%ebp
	movl	%esp, %ebp
	movl	%esp, test_emu_sp_before
	xorl	%eax, %eax
	int3
test_emu_call_ret:
	movl	%esp, test_emu_sp_after
	popl	%ebp
	ret
	.size test_emulate_call, . - test_emulate_call

	.type test_emu_target, @function
test_emu_target:
	movl	(%esp), %ecx		/* the return address the hook pushed */
	movl	%ecx, test_emu_seen_ret
	movl	%esp, test_emu_seen_sp
	movl	$0x5a5a, %eax
	ret
	.size test_emu_target, . - test_emu_target

/*
 * unsigned long test_emulate_push(void): int3, whose hook pushes a value
 * (lowering regs->sp); pop and return it.
 */
	.globl test_emulate_push, test_push_after
	.type test_emulate_push, @function
test_emulate_push:
	movl	%esp, test_push_sp_before
	int3
test_push_after:
	popl	%eax
	movl	%esp, test_push_sp_after
	ret
	.size test_emulate_push, . - test_emulate_push

/*
 * void test_emulate_pop(void): push a value, int3, whose hook takes it off
 * the stack by raising regs->sp; the ret only works if it did.
 */
	.globl test_emulate_pop, test_pop_after
	.type test_emulate_pop, @function
test_emulate_pop:
	movl	%esp, test_pop_sp_before
	pushl	$0x7777
	int3
test_pop_after:
	movl	%esp, test_pop_sp_after
	ret
	.size test_emulate_pop, . - test_emulate_pop

/* void test_single_step(void): set TF; a #DB hook sees one step and clears it. */
	.globl test_single_step, test_single_step_after
	.type test_single_step, @function
test_single_step:
	pushfl
	orl	$0x100, (%esp)
	popfl
	nop
test_single_step_after:
	ret
	.size test_single_step, . - test_single_step

/* void test_gp(void *): load a selector nobody defined into %ds: #GP(0x1234). */
	.globl test_gp
	.type test_gp, @function
test_gp:
	movl	$0x1234, %eax
	movl	%eax, %ds
	movl	$KERNEL_DS, %eax	/* not reached */
	movl	%eax, %ds
	ret
	.size test_gp, . - test_gp

/*
 * void test_double_fault(void *top): run the stack into an unmapped page:
 * the push faults (#PF), delivering the #PF needs the same stack and faults
 * again, which makes a #DF (taken by the #DF task on its own stack).
 */
	.globl test_double_fault
	.type test_double_fault, @function
test_double_fault:
	movl	4(%esp), %esp
	pushl	%eax
	ud2
	.size test_double_fault, . - test_double_fault

	.bss
	.balign 4
	.globl test_int3_sp, test_int3_bp, test_int3_sp_after, test_int3_bad
	.globl test_emu_sp_before, test_emu_sp_after, test_emu_seen_ret, test_emu_seen_sp
	.globl test_push_sp_before, test_push_sp_after, test_pop_sp_before, test_pop_sp_after
test_int3_sp:		.long 0
test_int3_bp:		.long 0
test_int3_sp_after:	.long 0
test_int3_bad:		.long 0
test_emu_sp_before:	.long 0
test_emu_sp_after:	.long 0
test_emu_seen_ret:	.long 0
test_emu_seen_sp:	.long 0
test_push_sp_before:	.long 0
test_push_sp_after:	.long 0
test_pop_sp_before:	.long 0
test_pop_sp_after:	.long 0

	.section .note.GNU-stack, "", @progbits
