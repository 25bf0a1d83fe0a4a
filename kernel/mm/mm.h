/*
 * Memory: physical pages (pmm.c), the kernel heap (heap.c), our own page
 * tables with W^X (paging.c + arch/<arch>/paging.c), executable memory for
 * instruction slots and trampolines (execmem.c). Changing kernel text is
 * text_poke's job (kernel/mm/text_poke.h).
 *
 * The kernel runs identity-mapped: a physical page's address is also its
 * virtual address, so the allocators hand out plain pointers.
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H
#include <stddef.h>
#include <stdint.h>
#include "kernel/arch.h"

/* Physical page allocator, paging, heap, execmem: called once from kmain. */
void mm_init(void);
/* Nonzero once our page tables are live. */
int mm_paging_on(void);

/* ---- physical pages (zero-filled, lowest address first) ---- */
void *pmm_alloc_page(void);
void *pmm_alloc_pages(size_t n);	/* n physically contiguous pages */
/* Returns 0, or -EINVAL for a page that is not ours or already free (reported). */
int pmm_free_page(void *page);
int pmm_free_pages(void *first, size_t n);

struct pmm_stats {
	size_t total_pages;		/* pages the allocator manages */
	size_t free_pages;
	uint64_t ignored_bytes;		/* RAM this architecture cannot map */
	unsigned long bad_frees;	/* double or invalid frees refused */
	unsigned long failed_allocs;
};
void pmm_get_stats(struct pmm_stats *s);

/* ---- heap: 16-byte aligned blocks; NULL when out of memory ---- */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* Double and invalid frees are reported, counted and ignored. kfree(NULL) is a no-op. */
void kfree(void *p);

struct heap_stats {
	size_t arena_bytes;		/* bytes taken from the pmm */
	size_t free_bytes;		/* in free blocks, headers included */
	size_t used_bytes;		/* in allocated blocks, headers included */
	size_t used_blocks, free_blocks;
	unsigned long oom;		/* allocations that returned NULL */
	unsigned long bad_frees;	/* double or invalid frees refused */
};
void heap_get_stats(struct heap_stats *s);

/* ---- page tables ---- */
/*
 * Map [phys, phys + size) uncached, read/write, not executable, at the same
 * virtual address: device registers (APICs, HPET, PCI config space) and
 * firmware tables in "reserved" memory (SeaBIOS keeps ACPI there), which
 * are not mapped otherwise. Returns 0 or a negative error; RAM is refused
 * (-EINVAL) so its cacheability cannot change under its users. Before
 * mm_init the request is recorded and applied when paging starts.
 */
int mm_map_mmio(uint64_t phys, uint64_t size);
/*
 * Leave `page` unmapped (a guard under a stack). May be called before
 * mm_init: the request is recorded and applied when paging starts.
 */
void mm_guard_page(void *page);
int mm_guard_page_count(void);
/* Is the page holding addr one of them? */
int mm_is_guard_page(uintptr_t addr);

/* ---- executable memory: R+X pages within +-2 GiB of kernel text ---- */
/*
 * size bytes (at most PAGE_SIZE) of int3-filled executable memory, 64-byte
 * aligned, written only through text_poke. NULL when out of memory.
 */
void *execmem_alloc(size_t size);
/* Returns 0, or -EINVAL (reported) for a pointer execmem did not hand out. */
int execmem_free(void *p);
/* Nonzero when addr lies in a block execmem handed out (and not freed). */
int execmem_contains(const void *addr);
/* Nonzero when all of [addr, addr + len) is handed-out memory of one page. */
int execmem_contains_range(const void *addr, size_t len);

#endif
