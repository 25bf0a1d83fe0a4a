/*
 * x86_64 boot: GRUB (multiboot2) enters _start in 32-bit protected mode,
 * paging off, EAX = magic, EBX = physical address of the boot information.
 * We zero .bss, check for long mode, identity-map the first 4 GiB with 2 MiB
 * pages, enable PAE + LME (+ NXE when the CPU has NX) + paging, and jump to
 * 64-bit code that calls kmain(magic, info). kernel/paging replaces these
 * boot page tables with fine-grained ones (W^X) later.
 */
#include "arch_defs.h"

#define CR0_PG		(1 << 31)
#define CR0_WP		(1 << 16)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define PTE_P		1
#define PTE_W		2
#define PTE_PS		0x80

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl	%eax, %esi		/* keep magic and info out of the way of stosb */
	movl	%ebx, %ebp

	/* Zero .bss (the boot page tables and stack live there). */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	movl	%esi, boot_magic_value
	movl	%ebp, boot_info_addr
	movl	$boot_stack_top, %esp

	/* CPUID present? (EFLAGS.ID toggles) */
	pushfl
	popl	%eax
	movl	%eax, %ecx
	xorl	$(1 << 21), %eax
	pushl	%eax
	popfl
	pushfl
	popl	%eax
	pushl	%ecx
	popfl
	cmpl	%eax, %ecx
	je	no_long_mode

	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx	/* LM */
	jz	no_long_mode
	movl	%edx, %ebx		/* bit 20: NX */

	/* 2048 PD entries: 4 GiB identity-mapped with 2 MiB pages. */
	movl	$boot_pd, %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_W | PTE_PS), %eax
	movl	%eax, (%edi, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* high dword: bits 32.. of (ecx << 21) */
	movl	%eax, 4(%edi, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	1b

	/* 4 PDPT entries, one PML4 entry. */
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$boot_pd + (PTE_P | PTE_W), %eax
	movl	%eax, boot_pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	2b
	movl	$boot_pdpt + (PTE_P | PTE_W), boot_pml4

	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4

	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	testl	$(1 << 20), %ebx
	jz	3f
	orl	$EFER_NXE, %eax
3:	wrmsr

	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$0x08, $long_mode_entry

no_long_mode:
	/* Say so on the VGA text screen and on COM1, then stop. */
	movl	$no_lm_msg, %esi
	movl	$0xb8000, %edi
4:	movb	(%esi), %al
	testb	%al, %al
	jz	6f
	movb	%al, (%edi)
	movb	$0x4f, 1(%edi)
	addl	$2, %edi
	movw	$0x3f8, %dx
	outb	%al, %dx
	incl	%esi
	jmp	4b
6:	hlt
	jmp	6b

	.code64
long_mode_entry:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp		/* terminates frame-pointer unwinding */
	movl	boot_magic_value, %edi
	movl	boot_info_addr, %esi
	call	kmain
7:	cli
	hlt
	jmp	7b

/*
 * An AP, from the start page (kernel/smp/trampoline16.S): 32-bit protected
 * mode, flat segments, paging off. Take the boot CPU's paging settings
 * (ap_boot_*, written by kernel/smp/smpboot.c; CR3 is below 4 GiB), enter
 * long mode and call ap_main on the stack smpboot.c gave this CPU.
 */
	.code32
	.globl ap_entry32
ap_entry32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	ap_boot_cr4, %eax
	movl	%eax, %cr4		/* PAE (and the rest as on the boot CPU) */
	movl	ap_boot_cr3, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	ap_boot_efer, %eax	/* LME, NXE */
	wrmsr
	movl	ap_boot_cr0, %eax
	movl	%eax, %cr0		/* PG: long mode is active */
	lgdt	boot_gdt_ptr
	ljmp	$0x08, $ap_long_mode

	.code64
ap_long_mode:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	ap_boot_stack, %rsp
	xorl	%ebp, %ebp
	call	ap_main
8:	cli
	hlt
	jmp	8b

	.section .rodata
no_lm_msg:
	.asciz "uniprobe: this CPU has no long mode; boot the i386 kernel instead"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .data
	.globl boot_magic_value, boot_info_addr
boot_magic_value:	.long 0
boot_info_addr:	.long 0
	.globl ap_boot_cr0, ap_boot_cr3, ap_boot_cr4, ap_boot_efer, ap_boot_stack
ap_boot_cr0:	.long 0
ap_boot_cr3:	.long 0
ap_boot_cr4:	.long 0
ap_boot_efer:	.long 0
	.balign 8
ap_boot_stack:	.quad 0

	.section .bss.boot, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096

	/* The boot stack, with an unmapped guard page below it once paging is ours. */
	.globl boot_stack_guard, boot_stack_top
	.balign 4096
boot_stack_guard:
	.skip 4096
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
