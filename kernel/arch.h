/*
 * The one header through which kernel/ talks to arch/<arch>/: what each
 * architecture provides. Data layouts (struct pt_regs) come from arch_defs.h.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H
#include "arch_defs.h"

struct fb_info;

/* Descriptor tables, exception vectors: called once from kmain. */
void arch_init(void);

/* The screen console for whatever the boot loader handed over. */
void screen_console_init(const struct fb_info *fb);

#endif
