/*
 * __fentry__: the target of the `call __fentry__` the compiler puts at the
 * start of every traced function (-pg -mfentry), the same on both arches.
 * ftrace_init turns every call site into a nop at boot; until then the
 * calls land here and return.
 */
	.text
	.globl __fentry__
	.type __fentry__, @function
__fentry__:
	ret
	.size __fentry__, . - __fentry__

	.section .note.GNU-stack, "", @progbits
