/*
 * Broken: the frame is set up on one path only; the other path calls
 * without it (placed after the frame code, so only a path walk sees it).
 */
	.text
	.globl g
	.type g, @function
g:
	ret
	.size g, . - g
	.globl f
	.type f, @function
f:
	testq	%rdi, %rdi
	jne	1f
	pushq	%rbp
	movq	%rsp, %rbp
	call	g
	popq	%rbp
	ret
1:	pushq	%rbx
	call	g
	popq	%rbx
	ret
	.size f, . - f
