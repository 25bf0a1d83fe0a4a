/* Broken: the __mcount_loc entry is the first instruction but not `call __fentry__`. */
	.text
	.globl f
	.type f, @function
f:
	pushq	%rbp
	movq	%rsp, %rbp
	popq	%rbp
	ret
	.size f, . - f
	.section __mcount_loc, "a"
	.balign 8
	.quad	f
