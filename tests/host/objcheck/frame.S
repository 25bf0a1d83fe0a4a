/* Broken: calls before push %rbp; mov %rsp,%rbp, and does not say FRAMELESS. */
	.text
	.globl g
	.type g, @function
g:
	ret
	.size g, . - g
	.globl f
	.type f, @function
f:
	pushq	%rbx
	call	g
	popq	%rbx
	ret
	.size f, . - f
