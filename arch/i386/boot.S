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

/*
 * An AP, from the start page (kernel/smp/trampoline16.S): protected mode,
 * flat segments, paging off. Take the boot CPU's paging settings (ap_boot_*,
 * written by kernel/smp/smpboot.c) and call ap_main on its own stack.
 */
	.globl ap_entry32
ap_entry32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	ap_boot_efer, %edx
	testl	%edx, %edx
	jz	2f
	movl	$0xc0000080, %ecx	/* EFER.NXE, as on the boot CPU */
	rdmsr
	orl	ap_boot_efer, %eax
	wrmsr
2:	movl	ap_boot_cr4, %eax
	movl	%eax, %cr4		/* PAE or PSE */
	movl	ap_boot_cr3, %eax
	movl	%eax, %cr3
	movl	ap_boot_cr0, %eax
	movl	%eax, %cr0		/* PG, WP */
	movl	ap_boot_stack, %esp
	xorl	%ebp, %ebp
	call	ap_main
3:	cli
	hlt
	jmp	3b

	.section .data
	.globl ap_boot_cr0, ap_boot_cr3, ap_boot_cr4, ap_boot_efer, ap_boot_stack
ap_boot_cr0:	.long 0
ap_boot_cr3:	.long 0
ap_boot_cr4:	.long 0
ap_boot_efer:	.long 0
ap_boot_stack:	.long 0

	.section .bss.boot, "aw", @nobits
	/* The boot stack, with an unmapped guard page below it once paging is ours. */
	.globl boot_stack_guard, boot_stack_top
	.balign 4096
boot_stack_guard:
	.skip 4096
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
