/* Broken: the __mcount_loc entry points at the second instruction. */
	.text
	.globl f
	.type f, @function
f:
	nop
1:	call	__fentry__
	ret
	.size f, . - f
	.section __mcount_loc, "a"
	.balign 8
	.quad	1b
