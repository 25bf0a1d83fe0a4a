/*
 * Physical page allocator: one bit per page frame, 1 = free. The bitmap
 * covers frames 0 .. max_pfn and is itself carved out of the first free RAM
 * below 4 GiB (mapped by the boot page tables on x86_64).
 *
 * Managed: RAM the memory map calls available, above 1 MiB and below the
 * architecture's limit (arch_ram_limit), minus the kernel image, the boot
 * information, the modules and the bitmap. Allocation is lowest address
 * first (execmem wants pages near kernel text); pages come zero-filled.
 */
#include "kernel/bootinfo.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/mm/mm_internal.h"
#include "lib/string.h"

#define LOW_LIMIT	0x100000ull		/* the first 1 MiB stays the BIOS's */
#define BOOT_MAPPED	0x100000000ull		/* what the boot page tables map */
#define WORD_BITS	64

static uint64_t *bitmap;
static size_t bitmap_words, max_pfn;
static size_t hint;				/* no free bit in words below it */
static size_t alloc_limit_pfn;			/* allocate below it (BOOT_MAPPED until paging) */
static struct pmm_stats stats;

struct range {
	uint64_t start, end;
};

static uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(uint64_t)PAGE_MASK; }
static uint64_t page_down(uint64_t a) { return a & ~(uint64_t)PAGE_MASK; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* Available RAM region i, clipped to what we manage (empty: start >= end). */
static struct range usable_region(int i)
{
	const struct mem_region *r = &boot_info.regions[i];
	struct range u = { 0, 0 };

	if (r->type != MEM_AVAILABLE || r->base + r->len < r->base)
		return u;
	u.start = max64(page_up(r->base), LOW_LIMIT);
	u.end = min64(page_down(r->base + r->len), arch_ram_limit());
	return u;
}

/* Everything inside usable regions that is not ours to hand out. */
static int excluded_ranges(struct range *out)
{
	int n = 0;

	out[n++] = (struct range){ (uintptr_t)__kernel_start, (uintptr_t)__kernel_end };
	out[n++] = (struct range){ boot_info.info_start, boot_info.info_end };
	for (int i = 0; i < boot_info.module_count; i++)
		out[n++] = (struct range){ boot_info.modules[i].start, boot_info.modules[i].end };
	if (bitmap)
		out[n++] = (struct range){ (uintptr_t)bitmap, (uintptr_t)(bitmap + bitmap_words) };
	for (int i = 0; i < n; i++) {
		out[i].start = page_down(out[i].start);
		out[i].end = page_up(out[i].end);
	}
	return n;
}

#define MAX_EXCLUDED (4 + BOOT_MAX_MODULES)

/* Is frame pfn RAM this allocator manages? (Used to refuse bad frees.) */
static int managed(size_t pfn)
{
	struct range ex[MAX_EXCLUDED];
	uint64_t a = (uint64_t)pfn * PAGE_SIZE;
	int n = excluded_ranges(ex), in = 0;

	for (int i = 0; i < boot_info.region_count && !in; i++) {
		struct range u = usable_region(i);
		in = a >= u.start && a < u.end;
	}
	for (int i = 0; i < n && in; i++)
		in = !(a >= ex[i].start && a < ex[i].end);
	return in;
}

static int test_bit(size_t pfn) { return (bitmap[pfn / WORD_BITS] >> (pfn % WORD_BITS)) & 1; }
static void set_bit(size_t pfn) { bitmap[pfn / WORD_BITS] |= 1ull << (pfn % WORD_BITS); }
static void clear_bit(size_t pfn) { bitmap[pfn / WORD_BITS] &= ~(1ull << (pfn % WORD_BITS)); }

static void mark(uint64_t start, uint64_t end, int free)
{
	for (size_t pfn = start / PAGE_SIZE; pfn < end / PAGE_SIZE && pfn < max_pfn; pfn++)
		free ? set_bit(pfn) : clear_bit(pfn);
}

/* The lowest page-aligned spot of `size` bytes in usable RAM below 4 GiB. */
static uint64_t find_bitmap_spot(uint64_t size)
{
	struct range ex[MAX_EXCLUDED];
	int n = excluded_ranges(ex);
	uint64_t best = 0;

	for (int i = 0; i < boot_info.region_count; i++) {
		struct range u = usable_region(i);
		uint64_t at = u.start;
		int moved = 1;

		while (moved) {		/* step over exclusions until none overlaps */
			moved = 0;
			for (int j = 0; j < n; j++)
				if (at < ex[j].end && at + size > ex[j].start) {
					at = ex[j].end;
					moved = 1;
				}
		}
		if (at + size <= u.end && at + size <= BOOT_MAPPED && (!best || at < best))
			best = at;
	}
	return best;
}

void pmm_init(void)
{
	struct range ex[MAX_EXCLUDED];
	uint64_t top = 0, ignored = 0, spot;
	int n;

	for (int i = 0; i < boot_info.region_count; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		struct range u = usable_region(i);

		if (r->type != MEM_AVAILABLE)
			continue;
		if (r->base + r->len > arch_ram_limit())
			ignored += r->base + r->len - max64(r->base, arch_ram_limit());
		if (u.start < u.end)
			top = max64(top, u.end);
	}
	max_pfn = top / PAGE_SIZE;
	bitmap_words = (max_pfn + WORD_BITS - 1) / WORD_BITS;
	spot = find_bitmap_spot(page_up(bitmap_words * 8));
	if (!max_pfn || !spot) {
		printk("pmm: no usable RAM above 1 MiB; no page allocator\n");
		max_pfn = bitmap_words = 0;
		return;
	}
	bitmap = (uint64_t *)(uintptr_t)spot;
	memset(bitmap, 0, bitmap_words * 8);

	/* Free every usable page, then take back the exclusions. */
	for (int i = 0; i < boot_info.region_count; i++) {
		struct range u = usable_region(i);
		if (u.start < u.end)
			mark(u.start, u.end, 1);
	}
	n = excluded_ranges(ex);
	for (int i = 0; i < n; i++)
		mark(ex[i].start, ex[i].end, 0);

	for (size_t w = 0; w < bitmap_words; w++)
		stats.total_pages += __builtin_popcountll(bitmap[w]);
	stats.free_pages = stats.total_pages;
	stats.ignored_bytes = ignored;
	alloc_limit_pfn = min64(max_pfn, BOOT_MAPPED / PAGE_SIZE);
	printk("pmm: %zu MiB in %zu pages, bitmap %zu KiB at %p", stats.total_pages >> (20 - 12),
	       stats.total_pages, (size_t)(page_up(bitmap_words * 8) >> 10), (void *)bitmap);
	if (ignored)
		printk(", %llu MiB above %llu MiB ignored (cannot be mapped)",
		       (unsigned long long)(ignored >> 20),
		       (unsigned long long)(arch_ram_limit() >> 20));
	printk("\n");
}

void pmm_all_mapped(void)
{
	alloc_limit_pfn = max_pfn;
}

/* Lowest run of n free frames below alloc_limit_pfn; 0 when there is none. */
static size_t find_run(size_t n)
{
	size_t run = 0;

	for (size_t pfn = hint * WORD_BITS; pfn < alloc_limit_pfn; pfn++) {
		if (pfn % WORD_BITS == 0 && bitmap[pfn / WORD_BITS] == 0) {
			run = 0;
			pfn += WORD_BITS - 1;	/* a whole word in use */
			continue;
		}
		run = test_bit(pfn) ? run + 1 : 0;
		if (run == n)
			return pfn + 1 - n;
	}
	return 0;
}

void *pmm_alloc_pages(size_t n)
{
	unsigned long flags;
	size_t first;
	void *p;

	if (!n)
		return NULL;
	flags = irq_save();
	first = find_run(n);
	if (!first) {		/* frame 0 is never managed, so 0 means none */
		stats.failed_allocs++;
		irq_restore(flags);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		clear_bit(first + i);
	stats.free_pages -= n;
	if (first / WORD_BITS == hint)
		while (hint < bitmap_words && bitmap[hint] == 0)
			hint++;
	irq_restore(flags);
	p = (void *)(uintptr_t)((uint64_t)first * PAGE_SIZE);
	memset(p, 0, n * PAGE_SIZE);
	return p;
}

void *pmm_alloc_page(void)
{
	return pmm_alloc_pages(1);
}

int pmm_free_pages(void *first, size_t n)
{
	uintptr_t a = (uintptr_t)first;
	size_t pfn = a / PAGE_SIZE;
	unsigned long flags;
	int err = 0;

	flags = irq_save();
	/* Check the whole run first: a refused free changes nothing. */
	if ((a & PAGE_MASK) || !n || pfn + n > max_pfn || pfn + n < pfn) {
		err = -EINVAL;
	} else {
		for (size_t i = 0; i < n && !err; i++)
			if (!managed(pfn + i) || test_bit(pfn + i))
				err = test_bit(pfn + i) ? -EEXIST : -EINVAL;
	}
	if (err) {
		stats.bad_frees++;
		irq_restore(flags);
		printk("pmm: free of %zu page(s) at %p refused: %s\n", n, first,
		       err == -EEXIST ? "double free" : "not a page the allocator handed out");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		set_bit(pfn + i);
	stats.free_pages += n;
	if (pfn / WORD_BITS < hint)
		hint = pfn / WORD_BITS;
	irq_restore(flags);
	return 0;
}

int pmm_free_page(void *page)
{
	return pmm_free_pages(page, 1);
}

void pmm_get_stats(struct pmm_stats *s)
{
	*s = stats;
}
