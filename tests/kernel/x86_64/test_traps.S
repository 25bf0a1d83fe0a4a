/*
 * Register-level pieces of the "traps" self-tests (tests/kernel/test_traps.c):
 * hand-placed int3s whose hooks check and change pt_regs, and deliberate
 * faults that need exact instructions. Globals named test_* are read by the
 * C side.
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
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	$(TEST_MAGIC + PT_AX), %rax
	movq	$(TEST_MAGIC + PT_BX), %rbx
	movq	$(TEST_MAGIC + PT_CX), %rcx
	movq	$(TEST_MAGIC + PT_DX), %rdx
	movq	$(TEST_MAGIC + PT_SI), %rsi
	movq	$(TEST_MAGIC + PT_DI), %rdi
	movq	$(TEST_MAGIC + PT_R8), %r8
	movq	$(TEST_MAGIC + PT_R9), %r9
	movq	$(TEST_MAGIC + PT_R10), %r10
	movq	$(TEST_MAGIC + PT_R11), %r11
	movq	$(TEST_MAGIC + PT_R12), %r12
	movq	$(TEST_MAGIC + PT_R13), %r13
	movq	$(TEST_MAGIC + PT_R14), %r14
	movq	$(TEST_MAGIC + PT_R15), %r15
	movq	%rsp, test_int3_sp(%rip)
	movq	%rbp, test_int3_bp(%rip)
	int3
test_int3_regs_after:
	movq	%rsp, test_int3_sp_after(%rip)
	/* count the registers that do not hold what they should */
	pushq	%rax
	xorl	%eax, %eax
	cmpq	$(TEST_MAGIC + PT_BX), %rbx
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_CX), %rcx
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$((TEST_MAGIC + PT_DX) ^ TEST_DX_FLIP), %rdx
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_SI), %rsi
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_DI), %rdi
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R8), %r8
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R9), %r9
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R10), %r10
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R11), %r11
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R12), %r12
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R13), %r13
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R14), %r14
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	$(TEST_MAGIC + PT_R15), %r15
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	cmpq	%rbp, test_int3_bp(%rip)
	setne	%al
	addq	%rax, test_int3_bad(%rip)
	popq	%rcx			/* rax as it came back */
	xorl	%eax, %eax
	cmpq	$(TEST_MAGIC + PT_AX), %rcx
	setne	%al
	addq	test_int3_bad(%rip), %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size test_int3_regs, . - test_int3_regs

/*
 * unsigned long test_emulate_call(void): int3, which a hook turns into a
 * call of test_emu_target returning to test_emu_call_ret (right after the
 * int3). Returns what test_emu_target left in rax.
 */
	.globl test_emulate_call, test_emu_call_ret, test_emu_target
	.type test_emulate_call, @function
test_emulate_call:
	pushq	%rbp
	movq	%rsp, %rbp
	movq	%rsp, test_emu_sp_before(%rip)
	xorl	%eax, %eax
	int3
test_emu_call_ret:
	movq	%rsp, test_emu_sp_after(%rip)
	popq	%rbp
	ret
	.size test_emulate_call, . - test_emulate_call

	.type test_emu_target, @function
test_emu_target:
	movq	(%rsp), %rcx		/* the return address the hook pushed */
	movq	%rcx, test_emu_seen_ret(%rip)
	movq	%rsp, test_emu_seen_sp(%rip)
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
	movq	%rsp, test_push_sp_before(%rip)
	int3
test_push_after:
	popq	%rax
	movq	%rsp, test_push_sp_after(%rip)
	ret
	.size test_emulate_push, . - test_emulate_push

/*
 * void test_emulate_pop(void): push a value, int3, whose hook takes it off
 * the stack by raising regs->sp; the ret only works if it did.
 */
	.globl test_emulate_pop, test_pop_after
	.type test_emulate_pop, @function
test_emulate_pop:
	movq	%rsp, test_pop_sp_before(%rip)
	pushq	$0x7777
	int3
test_pop_after:
	movq	%rsp, test_pop_sp_after(%rip)
	ret
	.size test_emulate_pop, . - test_emulate_pop

/* void test_single_step(void): set TF; a #DB hook sees one step and clears it. */
	.globl test_single_step, test_single_step_after
	.type test_single_step, @function
test_single_step:
	pushfq
	orq	$0x100, (%rsp)
	popfq
	nop
test_single_step_after:
	ret
	.size test_single_step, . - test_single_step

/* void test_gp(void *): a non-canonical address: #GP(0). */
	.globl test_gp
	.type test_gp, @function
test_gp:
	movabsq	$0x8000000000000000, %rax
	movq	(%rax), %rax
	ret
	.size test_gp, . - test_gp

/*
 * void test_double_fault(void *top): run the stack into an unmapped page:
 * the push faults (#PF), delivering the #PF needs the same stack and faults
 * again, which makes a #DF (taken on its IST stack).
 */
	.globl test_double_fault
	.type test_double_fault, @function
test_double_fault:
	movq	%rdi, %rsp
	pushq	%rax
	ud2
	.size test_double_fault, . - test_double_fault

	.bss
	.balign 8
	.globl test_int3_sp, test_int3_bp, test_int3_sp_after, test_int3_bad
	.globl test_emu_sp_before, test_emu_sp_after, test_emu_seen_ret, test_emu_seen_sp
	.globl test_push_sp_before, test_push_sp_after, test_pop_sp_before, test_pop_sp_after
test_int3_sp:		.quad 0
test_int3_bp:		.quad 0
test_int3_sp_after:	.quad 0
test_int3_bad:		.quad 0
test_emu_sp_before:	.quad 0
test_emu_sp_after:	.quad 0
test_emu_seen_ret:	.quad 0
test_emu_seen_sp:	.quad 0
test_push_sp_before:	.quad 0
test_push_sp_after:	.quad 0
test_pop_sp_before:	.quad 0
test_pop_sp_after:	.quad 0

	.section .note.GNU-stack, "", @progbits
