/*
 * __fentry__: the target of the `call __fentry__` the compiler puts at the
 * start of every traced function (-pg -mfentry), the same on both arches.
 * ftrace_init turns every call site into a nop at boot; until then the
 * calls land here and return.
 */
#include "kernel/probes/fentry_stubs.h"

	.text
	.globl __fentry__
	.type __fentry__, @function
__fentry__:
	ret
	.size __fentry__, . - __fentry__

/*
 * fentry_callers: one stub per fentry site. An enabled site i is
 * `call fentry_callers + i * FENTRY_STUB_SIZE`, which pushes the site's
 * descriptor, &fentry_sites[i] (its first word is the handler for the
 * site's current users), and enters the one trampoline: a hit finds its
 * site and its users with no lookup. Same source on both arches.
 *
 *	push	$fentry_sites + i * FENTRY_SITE_SIZE
 *	jmp	call_to_exception_trampoline
 */
	.section .text.noprobe, "ax"
	.globl fentry_callers
	.type fentry_callers, @function
fentry_callers:
	.set i, 0
	.rept FENTRY_MAX_SITES
	push	$fentry_sites + i * FENTRY_SITE_SIZE
	{disp32} jmp call_to_exception_trampoline	/* rel32: every stub 10 bytes */
	.set i, i + 1
	.endr
	.size fentry_callers, . - fentry_callers

	.section .note.GNU-stack, "", @progbits
