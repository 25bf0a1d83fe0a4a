/*
 * The AP start page. smpboot.c copies [smp_tramp_start, smp_tramp_end) to
 * a page below 1 MiB and sends each AP a SIPI with that page's number: the
 * AP starts here in real mode at CS:IP = page:0. It loads a flat GDT (whose
 * base smpboot.c writes at smp_tramp_gdt_base), enters 32-bit protected
 * mode and jumps to ap_entry32 in kernel text (arch/<arch>/boot.S), which
 * turns paging (and long mode) on with the boot CPU's settings.
 * Same code on both architectures.
 */
	.section .rodata, "a"
	.code16
	.balign 16
	.globl smp_tramp_start, smp_tramp_end, smp_tramp_gdt_base
smp_tramp_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	tramp_gdt_ptr - smp_tramp_start
	movl	%cr0, %eax
	orl	$1, %eax		/* PE */
	movl	%eax, %cr0
	ljmpl	*(tramp_far - smp_tramp_start)

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, flat 4 GiB, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat 4 GiB */
tramp_gdt_ptr:
	.word	3 * 8 - 1
smp_tramp_gdt_base:
	.long	0			/* the page + (tramp_gdt - smp_tramp_start) */
tramp_far:
	.long	ap_entry32
	.word	0x08
smp_tramp_end:
	.code32

	.section .note.GNU-stack, "", @progbits
