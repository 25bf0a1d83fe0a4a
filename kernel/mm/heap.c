/*
 * The kernel heap: first fit over an address-ordered free list, with a
 * header in front of every block. Freeing merges a block with its free
 * neighbours, so freeing everything gives back one free block per arena.
 *
 * Arenas are runs of pages from the pmm (1 MiB, or more for a big block),
 * taken when nothing fits and never given back.
 *
 * The header's magic is xor-ed with the header's own address: a stale copy
 * elsewhere, or a pointer into the middle of a block, does not pass for a
 * live block. kfree() checks that before touching anything.
 */
#include "kernel/dev/console.h"
#include "kernel/mm/mm_internal.h"
#include "lib/string.h"

#define ALIGN		16
#define MAGIC_USED	((uintptr_t)0x5a11ced0a110c8edull)
#define MAGIC_FREE	((uintptr_t)0xf4eeb10cf4eeb10cull)
#define ARENA_PAGES	256
#define MAX_ARENAS	32
#define POISON		0x6b

struct block {
	size_t size;		/* the whole block, header included; a multiple of ALIGN */
	uintptr_t magic;	/* MAGIC_USED or MAGIC_FREE, xor the block's address */
	struct block *next;	/* free blocks only: the next one up */
	size_t asked;		/* used blocks only: what kmalloc was asked for */
} __aligned(ALIGN);

#define HDR		sizeof(struct block)
#define MIN_BLOCK	(HDR + ALIGN)

static struct { uintptr_t start, end; } arenas[MAX_ARENAS];
static int narenas;
static struct block *free_list;
static struct heap_stats stats;

static uintptr_t magic_of(struct block *b, uintptr_t magic) { return magic ^ (uintptr_t)b; }

static int in_arena(uintptr_t a, size_t len)
{
	for (int i = 0; i < narenas; i++)
		if (a >= arenas[i].start && a < arenas[i].end && len <= arenas[i].end - a)
			return 1;
	return 0;
}

/* Put b into the free list in address order, merging with its neighbours. */
static void insert_free(struct block *b)
{
	struct block **link = &free_list, *prev = NULL;

	while (*link && *link < b) {
		prev = *link;
		link = &(*link)->next;
	}
	b->magic = magic_of(b, MAGIC_FREE);
	b->next = *link;
	*link = b;
	stats.free_blocks++;
	if (b->next && (uintptr_t)b + b->size == (uintptr_t)b->next) {
		struct block *n = b->next;
		b->size += n->size;
		b->next = n->next;
		n->magic = 0;
		stats.free_blocks--;
	}
	if (prev && (uintptr_t)prev + prev->size == (uintptr_t)b) {
		prev->size += b->size;
		prev->next = b->next;
		b->magic = 0;
		stats.free_blocks--;
	}
}

/*
 * Record [start, end) as heap. Arenas that touch become one, so a block
 * merged across their border still lies within one arena.
 */
static int add_arena(uintptr_t start, uintptr_t end)
{
	int i, j;

	for (i = 0; i < narenas; i++)
		if (arenas[i].end == start || arenas[i].start == end)
			break;
	if (i == narenas) {
		if (narenas == MAX_ARENAS)
			return 0;
		arenas[narenas].start = start;
		arenas[narenas++].end = end;
		return 1;
	}
	if (arenas[i].end == start)
		arenas[i].end = end;
	else
		arenas[i].start = start;
	for (j = 0; j < narenas; j++) {		/* did it close the gap to another? */
		if (j != i && (arenas[j].start == arenas[i].end || arenas[j].end == arenas[i].start)) {
			if (arenas[j].start == arenas[i].end)
				arenas[i].end = arenas[j].end;
			else
				arenas[i].start = arenas[j].start;
			arenas[j] = arenas[--narenas];
			break;
		}
	}
	return 1;
}

/* Take more pages from the pmm: 1 MiB, or what a big block needs. */
static int grow(size_t need)
{
	size_t pages = (need + PAGE_SIZE - 1) / PAGE_SIZE;
	struct block *b;
	void *p = NULL;

	if (pages < ARENA_PAGES)
		p = pmm_alloc_pages(ARENA_PAGES);
	if (p)
		pages = ARENA_PAGES;
	else
		p = pmm_alloc_pages(pages);
	if (!p)
		return 0;
	if (!add_arena((uintptr_t)p, (uintptr_t)p + pages * PAGE_SIZE)) {
		pmm_free_pages(p, pages);
		return 0;
	}
	stats.arena_bytes += pages * PAGE_SIZE;
	stats.free_bytes += pages * PAGE_SIZE;
	b = p;
	b->size = pages * PAGE_SIZE;
	insert_free(b);
	return 1;
}

void *kmalloc(size_t size)
{
	struct block **link, *b = NULL;
	unsigned long flags;
	size_t need;

	if (size > (size_t)-1 / 2) {	/* nothing that big exists; avoid overflow */
		stats.oom++;
		return NULL;
	}
	need = (size + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	flags = irq_save();
	for (int tries = 0; !b && tries < 2; tries++) {
		for (link = &free_list; *link; link = &(*link)->next)
			if ((*link)->size >= need)
				break;
		if (*link) {
			b = *link;
			if (b->size - need >= MIN_BLOCK) {	/* split: the rest stays free */
				struct block *rest = (struct block *)((uintptr_t)b + need);
				rest->size = b->size - need;
				rest->next = b->next;
				rest->magic = magic_of(rest, MAGIC_FREE);
				*link = rest;
				b->size = need;
			} else {
				*link = b->next;
				stats.free_blocks--;
			}
		} else if (!grow(need)) {
			break;
		}
	}
	if (!b) {
		stats.oom++;
		irq_restore(flags);
		return NULL;
	}
	b->magic = magic_of(b, MAGIC_USED);
	b->next = NULL;
	b->asked = size;
	stats.free_bytes -= b->size;
	stats.used_bytes += b->size;
	stats.used_blocks++;
	irq_restore(flags);
	return b + 1;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Does a refused pointer lie inside a free block (freed, then merged)? */
static int inside_free_block(uintptr_t a)
{
	for (struct block *f = free_list; f; f = f->next)
		if (a >= (uintptr_t)f && a < (uintptr_t)f + f->size)
			return 1;
	return 0;
}

void kfree(void *p)
{
	struct block *b;
	uintptr_t a = (uintptr_t)p;
	unsigned long flags;
	const char *why;

	if (!p)
		return;
	b = (struct block *)p - 1;	/* not before the NULL check: NULL - 1 is undefined */
	flags = irq_save();
	if ((a & (ALIGN - 1)) || !in_arena((uintptr_t)b, HDR))
		why = "not a pointer kmalloc returned";
	else if (b->magic == magic_of(b, MAGIC_USED) && b->size >= MIN_BLOCK &&
		 !(b->size & (ALIGN - 1)) && in_arena((uintptr_t)b, b->size))
		why = NULL;
	else if (b->magic == magic_of(b, MAGIC_FREE) || inside_free_block(a))
		why = "double free";
	else
		why = "not a pointer kmalloc returned";
	if (why) {
		stats.bad_frees++;
		irq_restore(flags);
		printk("heap: kfree(%p) refused: %s\n", p, why);
		return;
	}
	memset(p, POISON, b->size - HDR);	/* use after free reads garbage, loudly */
	stats.used_bytes -= b->size;
	stats.free_bytes += b->size;
	stats.used_blocks--;
	insert_free(b);
	irq_restore(flags);
}

void heap_get_stats(struct heap_stats *s)
{
	*s = stats;
}
