/*
 * The multiboot2 header, the same for both kernels (GRUB enters both in
 * 32-bit protected mode; the x86_64 kernel switches to long mode itself).
 * It must sit in the first 32 KiB of the file, 8-byte aligned: the linker
 * scripts put .multiboot2 first.
 */
#define MB2_MAGIC	0xe85250d6
#define MB2_ARCH_I386	0
#define MB2_TAG_OPTIONAL 1

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* console flags: EGA text is supported (bit 1); a console is not required */
	.balign 8
	.short 4, MB2_TAG_OPTIONAL
	.long 12
	.long 2

	/* framebuffer: any size and depth; GRUB keeps text mode if gfxpayload=text */
	.balign 8
	.short 5, MB2_TAG_OPTIONAL
	.long 20
	.long 0, 0, 0

	/* end */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .note.GNU-stack, "", @progbits
