/* __fentry__ of the test images, in .text.noprobe as in the kernel. */
	.section .text.noprobe, "ax"
	.globl __fentry__
	.type __fentry__, @function
__fentry__:
	ret
	.size __fentry__, . - __fentry__
