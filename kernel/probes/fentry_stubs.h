/*
 * Shared by fentry.c and fentry_stub.S: the site table's shape, which the
 * per-site stubs (`push $fentry_sites + i * FENTRY_SITE_SIZE; jmp
 * call_to_exception_trampoline`) are assembled against.
 */
#ifndef KERNEL_FENTRY_STUBS_H
#define KERNEL_FENTRY_STUBS_H

#define FENTRY_MAX_SITES	8192
#define FENTRY_SITE_SIZE	32	/* sizeof(struct fentry_site), checked in fentry.c */
#define FENTRY_STUB_SIZE	10	/* push imm32 (5) + jmp rel32 (5) */

#endif
