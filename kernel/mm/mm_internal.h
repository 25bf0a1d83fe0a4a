/* Between the parts of kernel/ memory management; nobody else includes this. */
#ifndef KERNEL_MM_INTERNAL_H
#define KERNEL_MM_INTERNAL_H
#include <stdint.h>
#include "kernel/cpu.h"
#include "kernel/mm/mm.h"

#define PAGE_MASK	((uintptr_t)PAGE_SIZE - 1)

/* Linker-script symbols (arch/<arch>/kernel.ld). */
extern char __kernel_start[], __kernel_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[], __data_end[];
extern char boot_stack_guard[];

void pmm_init(void);
/* Paging is ours and maps all managed RAM: stop preferring pages below 4 GiB. */
void pmm_all_mapped(void);
void paging_init(void);
void text_poke_init(void);
/* Change the attributes (PG_*) of one identity-mapped page of RAM. */
int mm_set_page_attr(void *page, unsigned attr);

#endif
