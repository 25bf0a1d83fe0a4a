/*
 * The kernel's own BTF: its types, made by pahole from the build's DWARF and
 * linked read-only as .BTF (see the Makefile). Checked once at boot.
 */
#ifndef KERNEL_BTF_H
#define KERNEL_BTF_H
#include "lib/btf.h"

/* Check the BTF and index it (after mm_init: the index is kmalloc'ed); prints one line. */
int kernel_btf_init(void);
/* The checked BTF, or NULL when the image has none or it was refused at boot. */
const struct btf *kernel_btf(void);

#endif
