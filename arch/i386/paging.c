/*
 * i386 page tables, in one of two formats picked from CPUID:
 *
 *   PAE (8-byte entries, NX when the CPU has it):
 *     level 2  PDPT  4 entries, one per 1 GiB (all four PDs made up front:
 *                    the CPU caches PDPT entries when CR3 is loaded)
 *     level 1  PD    512 entries, one per 2 MiB (PS: a 2 MiB page)
 *     level 0  PT    512 entries, one per 4 KiB
 *   32-bit (4-byte entries, no NX):
 *     level 1  PD    1024 entries, one per 4 MiB (PS: a 4 MiB page, with PSE)
 *     level 0  PT    1024 entries, one per 4 KiB
 *
 * Upper-level entries are present+writable: the leaf alone decides. Tables
 * come from the pmm (below arch_ram_limit, so identity-mapped). Only RAM
 * below 3 GiB is used: the top GiB is for MMIO (framebuffer, APICs) and
 * text_poke's alias pages. kernel/mm/paging.c decides what to map.
 */
#include "kernel/arch.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/mm/mm.h"

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)	/* in a PD entry: a large page */
#define PTE_NX		(1ull << 63)	/* PAE only */
#define CR0_PG		(1ul << 31)
#define CR0_WP		(1ul << 16)
#define CR4_PSE		(1ul << 4)
#define CR4_PAE		(1ul << 5)
#define MSR_EFER	0xc0000080
#define EFER_NXE	(1ull << 11)

/* text_poke's two alias pages, near the top; the last page stays unmapped. */
const uintptr_t arch_poke_alias = 0xffffc000;

static void *root;		/* PDPT (PAE) or PD */
static int pae, pse, nx, live;

static int top_level(void) { return pae ? 2 : 1; }
static unsigned shift(int level) { return pae ? 12 + 9 * level : 12 + 10 * level; }
static unsigned idx(uintptr_t va, int level) { return (va >> shift(level)) & (pae ? 511 : 1023); }
static uint64_t large_size(void) { return pae ? 2u << 20 : 4u << 20; }
static uint64_t addr_mask(void) { return pae ? 0x000ffffffffff000ull : 0xfffff000ull; }

static __noprobe uint64_t get(void *t, unsigned i)
{
	if (!pae)
		return ((volatile uint32_t *)t)[i];
	return ((volatile uint32_t *)t)[2 * i] | (uint64_t)((volatile uint32_t *)t)[2 * i + 1] << 32;
}

/*
 * A PAE entry is two 32-bit stores: order them so the CPU never sees a
 * present entry with half of it old (present: high half first; not
 * present: clear P in the low half first).
 */
static __noprobe void set(void *t, unsigned i, uint64_t e)
{
	volatile uint32_t *w = t;

	if (!pae) {
		w[i] = (uint32_t)e;
	} else if (e & PTE_P) {
		w[2 * i + 1] = e >> 32;
		barrier();
		w[2 * i] = (uint32_t)e;
	} else {
		w[2 * i] = (uint32_t)e;
		barrier();
		w[2 * i + 1] = e >> 32;
	}
}

static void *table_of(uint64_t e) { return (void *)(uintptr_t)(e & addr_mask()); }

const char *arch_paging_init(void)
{
	uint32_t r[4];

	cpuid(1, r);
	pae = (r[3] >> 6) & 1;
	pse = (r[3] >> 3) & 1;
	cpuid(0x80000000, r);
	if (pae && r[0] >= 0x80000001) {
		cpuid(0x80000001, r);
		nx = (r[3] >> 20) & 1;
	}
	root = pmm_alloc_page();
	if (!root)
		return NULL;
	if (pae) {
		/* The four PDs, made now: PDPT entries may hold only P (and cache bits). */
		for (unsigned i = 0; i < 4; i++) {
			void *pd = pmm_alloc_page();
			if (!pd)
				return NULL;
			set(root, i, (uintptr_t)pd | PTE_P);
		}
	}
	return pae ? (nx ? "PAE+NX" : "PAE, no NX") : "32-bit, no PAE, no NX";
}

int arch_paging_has_nx(void) { return nx; }

uint64_t arch_ram_limit(void) { return 0xc0000000ull; }

static uint64_t leaf_bits(unsigned attr)
{
	uint64_t e = PTE_P;

	if (attr & PG_WRITE)
		e |= PTE_W;
	if (attr & PG_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	if (!(attr & PG_EXEC) && nx)
		e |= PTE_NX;
	return e;
}

/* Replace the large page at PD entry t[i] by a page table of small pages. */
static __noprobe int split(void *t, unsigned i)
{
	uint64_t e = get(t, i), flags = e & ~addr_mask() & ~PTE_PS;
	uint64_t base = e & addr_mask() & ~(large_size() - 1);
	unsigned n = pae ? 512 : 1024;
	void *pt = pmm_alloc_page();

	if (!pt)
		return -ENOMEM;
	for (unsigned j = 0; j < n; j++)
		set(pt, j, (base + (uint64_t)j * PAGE_SIZE) | flags);
	set(t, i, (uintptr_t)pt | PTE_P | PTE_W);
	if (live)
		write_cr3(read_cr3());	/* drop the cached large translation */
	return 0;
}

/*
 * The table holding va's entry at `level` (0 or 1), creating a missing page
 * table or splitting a large page when `create`; NULL when out of memory.
 */
static __noprobe void *walk(uintptr_t va, int level, int create)
{
	void *t = root;

	for (int l = top_level(); l > level; l--) {
		unsigned i = idx(va, l);
		uint64_t e = get(t, i);

		if (!(e & PTE_P)) {	/* never at level 2: the PDs exist */
			void *n;
			if (!create || !(n = pmm_alloc_page()))
				return NULL;
			set(t, i, (uintptr_t)n | PTE_P | PTE_W);
		} else if (l == 1 && (e & PTE_PS)) {
			if (!create || split(t, i))
				return NULL;
		}
		t = table_of(get(t, i));
	}
	return t;
}

int __noprobe arch_map(uintptr_t va, uint64_t pa, uint64_t size, unsigned attr)
{
	uint64_t bits = leaf_bits(attr), large = large_size();

	if (pa + size > 0x100000000ull || va + size - 1 < va)
		return -ERANGE;
	while (size) {
		void *t;

		if ((attr & PG_LARGE) && (pae || pse) && !((va | pa) & (large - 1)) && size >= large) {
			t = walk(va, 1, 1);
			if (t) {
				uint64_t e = get(t, idx(va, 1));
				/* Keep an existing page table: it may hold finer mappings. */
				if (!(e & PTE_P) || (e & PTE_PS)) {
					set(t, idx(va, 1), pa | bits | PTE_PS);
					if (live)
						invlpg(va);
					va += large, pa += large, size -= large;
					continue;
				}
			}
		}
		t = walk(va, 0, 1);
		if (!t)
			return -ENOMEM;
		set(t, idx(va, 0), pa | bits);
		if (live)
			invlpg(va);
		va += PAGE_SIZE, pa += PAGE_SIZE;
		size = size > PAGE_SIZE ? size - PAGE_SIZE : 0;
	}
	return 0;
}

int __noprobe arch_unmap_page(uintptr_t va)
{
	void *t = walk(va, 0, 1);

	if (!t)
		return -ENOMEM;
	set(t, idx(va, 0), 0);
	if (live)
		invlpg(va);
	return 0;
}

int arch_page_attr(uintptr_t va)
{
	void *t = root;
	uint64_t e = 0;
	int attr = 0;

	for (int l = top_level(); l >= 0; l--) {
		e = get(t, idx(va, l));
		if (!(e & PTE_P))
			return -1;
		if (l == 0 || (l == 1 && (e & PTE_PS)))
			break;
		t = table_of(e);
	}
	if (e & PTE_W)
		attr |= PG_WRITE;
	if (!(e & PTE_NX))
		attr |= PG_EXEC;
	if (e & PTE_PCD)
		attr |= PG_UNCACHED;
	if (e & PTE_PS)
		attr |= PG_LARGE;
	return attr;
}

/* Paging on: the format bits in CR4 (and EFER.NXE) first, then CR3, then CR0.PG. */
void arch_paging_enable(void)
{
	unsigned long cr4 = read_cr4();

	if (pae)
		cr4 |= CR4_PAE;
	if (pse)
		cr4 |= CR4_PSE;
	write_cr4(cr4);
	if (nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr3((uintptr_t)root);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	live = 1;
}
