/* frame.S declared FRAMELESS (kernel/frameless.h): objcheck must accept it. */
#include "kernel/frameless.h"
	.text
	.globl g
	.type g, @function
g:
	ret
	.size g, . - g
	.globl f
	.type f, @function
f:
	FRAMELESS(f)	/* test: declared on purpose */
	pushq	%rbx
	call	g
	popq	%rbx
	ret
	.size f, . - f
