/*
 * i386 boot: GRUB (multiboot2) enters _start in 32-bit protected mode,
 * paging off, EAX = magic, EBX = physical address of the boot information.
 * Zero .bss, take our own stack and call kmain(magic, info); the kernel
 * core loads its own GDT/IDT and page tables from C.
 */
#include "arch_defs.h"

	.section .boot.text, "ax"
	.globl _start
_start:
	cli
	cld
	movl	%eax, %esi
	movl	%ebx, %edx

	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	movl	$boot_stack_top, %esp
	xorl	%ebp, %ebp		/* terminates frame-pointer unwinding */
	pushl	%edx			/* info */
	pushl	%esi			/* magic */
	call	kmain
1:	cli
	hlt
	jmp	1b

	.section .bss.boot, "aw", @nobits
	/* The boot stack, with an unmapped guard page below it once paging is ours. */
	.globl boot_stack_guard, boot_stack_top
	.balign 4096
boot_stack_guard:
	.skip 4096
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
