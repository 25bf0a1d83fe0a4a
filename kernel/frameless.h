/*
 * FRAMELESS(fn), in a .S file: fn calls without `push %bp; mov %sp,%bp`
 * first, on purpose (it builds an encoded frame the unwinder knows, or it is
 * a test target). tools/objcheck reads the names from this non-loaded
 * section and exempts them from its frame rule; say why next to each use.
 */
#ifndef KERNEL_FRAMELESS_H
#define KERNEL_FRAMELESS_H
#ifdef __ASSEMBLY__
#define FRAMELESS(fn)	.pushsection .objcheck.frameless, "", @progbits; .asciz #fn; .popsection
#endif
#endif
