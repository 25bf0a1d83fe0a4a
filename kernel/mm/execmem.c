/*
 * Executable memory for instruction slots and trampolines: pages from the
 * pmm remapped read+execute (never writable; their contents change only by
 * text_poke), cut into 64-byte granules. Blocks are at most a page.
 *
 * On x86_64 every page must lie within +-2 GiB of kernel text so that a
 * rel32 call or jmp reaches it from text and back. The pmm hands out the
 * lowest free page and text sits at 1 MiB, so this holds unless low memory
 * is exhausted; it is checked for every page anyway. (On i386 rel32 wraps
 * around the 4 GiB address space: every address is in reach.)
 *
 * Each page keeps two bitmaps: used granules, and the first granule of
 * each block (so execmem_free knows where a block ends).
 */
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/mm/mm_internal.h"
#include "kernel/mm/text_poke.h"

#define GRANULE		64
#define GRANULES	(PAGE_SIZE / GRANULE)	/* 64: one bit each in a uint64_t */
#define MAX_PAGES	128
#define INT3		0xcc
#define REL32_REACH	0x80000000ull

struct xpage {
	uintptr_t base;
	uint64_t used, start;
};

static struct xpage pages[MAX_PAGES];
static int npages;

static __noprobe uint64_t bits(unsigned first, unsigned n)
{
	return (n == 64 ? ~0ull : ((1ull << n) - 1)) << first;
}

static int in_reach(uintptr_t page)
{
	uint64_t lo = page < (uintptr_t)__text_start ? page : (uintptr_t)__text_start;
	uint64_t hi = page + PAGE_SIZE > (uintptr_t)__text_end ? page + PAGE_SIZE : (uintptr_t)__text_end;

	return sizeof(void *) == 4 || hi - lo < REL32_REACH;
}

/* A fresh page: int3 everywhere, then read+execute only. */
static struct xpage *new_page(void)
{
	uint8_t *p;

	if (npages == MAX_PAGES)
		return NULL;
	p = pmm_alloc_page();
	if (!p)
		return NULL;
	if (!in_reach((uintptr_t)p)) {
		printk("execmem: page %p is beyond rel32 reach of kernel text\n", (void *)p);
		pmm_free_page(p);
		return NULL;
	}
	for (int i = 0; i < PAGE_SIZE; i++)
		p[i] = INT3;
	if (mm_set_page_attr(p, PG_EXEC)) {
		pmm_free_page(p);
		return NULL;
	}
	pages[npages] = (struct xpage){ (uintptr_t)p, 0, 0 };
	return &pages[npages++];
}

void *execmem_alloc(size_t size)
{
	unsigned n = (size + GRANULE - 1) / GRANULE;
	unsigned long flags;
	void *ret = NULL;

	if (!size || size > PAGE_SIZE) {
		printk("execmem_alloc(%zu) refused: blocks are 1 .. %d bytes\n", size, PAGE_SIZE);
		return NULL;
	}
	flags = irq_save();
	for (int i = 0; i <= npages && !ret; i++) {
		struct xpage *x = i < npages ? &pages[i] : new_page();

		if (!x)
			break;
		for (unsigned g = 0; g + n <= GRANULES; g++) {
			if (!(x->used & bits(g, n))) {
				x->used |= bits(g, n);
				x->start |= bits(g, 1);
				ret = (void *)(x->base + g * GRANULE);
				break;
			}
		}
	}
	irq_restore(flags);
	return ret;
}

static __noprobe struct xpage *page_of(uintptr_t a)
{
	for (int i = 0; i < npages; i++)
		if (a - pages[i].base < PAGE_SIZE)
			return &pages[i];
	return NULL;
}

int execmem_free(void *p)
{
	uintptr_t a = (uintptr_t)p;
	static const uint8_t fill[GRANULE] = { [0 ... GRANULE - 1] = INT3 };
	unsigned long flags;
	struct xpage *x;
	unsigned g, end;

	flags = irq_save();
	x = page_of(a);
	g = x ? (a - x->base) / GRANULE : 0;
	if (!x || (a % GRANULE) || !(x->start & bits(g, 1))) {
		irq_restore(flags);
		printk("execmem_free(%p) refused: not a block execmem handed out\n", p);
		return -EINVAL;
	}
	/* The block runs until the next block's start or the first unused granule. */
	for (end = g + 1; end < GRANULES && (x->used & bits(end, 1)) && !(x->start & bits(end, 1)); end++)
		;
	for (unsigned i = g; i < end; i++)	/* stale code traps */
		text_poke((void *)(x->base + i * GRANULE), fill, GRANULE);
	x->used &= ~bits(g, end - g);
	x->start &= ~bits(g, 1);
	if (!x->used) {		/* an empty page goes back to the pmm, writable again */
		void *page = (void *)x->base;
		*x = pages[--npages];
		mm_set_page_attr(page, PG_WRITE);
		pmm_free_page(page);
	}
	irq_restore(flags);
	return 0;
}

int __noprobe execmem_contains_range(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	struct xpage *x = page_of(a);
	unsigned first, last;

	if (!x || !len || len > PAGE_SIZE || a + len - 1 - x->base >= PAGE_SIZE)
		return 0;
	first = (a - x->base) / GRANULE;
	last = (a + len - 1 - x->base) / GRANULE;
	return (x->used & bits(first, last - first + 1)) == bits(first, last - first + 1);
}

int __noprobe execmem_contains(const void *addr)
{
	return execmem_contains_range(addr, 1);
}
