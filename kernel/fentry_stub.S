/*
 * __fentry__: the target of the `call __fentry__` the compiler puts at the
 * start of every traced function (-pg -mfentry). Until the fentry machinery
 * rewrites the call sites it only returns.
 */
	.text
	.globl __fentry__
	.type __fentry__, @function
__fentry__:
	ret
	.size __fentry__, . - __fentry__

	.section .note.GNU-stack, "", @progbits
