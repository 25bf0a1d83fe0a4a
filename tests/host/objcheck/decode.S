/* Broken: 0f 0a is no instruction (#UD); objcheck must say it cannot decode it. */
	.text
	.globl f
	.type f, @function
f:
	pushq	%rbp
	movq	%rsp, %rbp
	.byte	0x0f, 0x0a
	popq	%rbp
	ret
	.size f, . - f
