/*
 * x86_64 page tables: 4 levels, 512 8-byte entries per table.
 *
 *   level 3  PML4  one entry per 512 GiB
 *   level 2  PDPT  one entry per 1 GiB
 *   level 1  PD    one entry per 2 MiB   (PS: a 2 MiB page; we use these for RAM)
 *   level 0  PT    one entry per 4 KiB   (the kernel image, guard pages, MMIO)
 *
 * Upper-level entries are always present+writable+executable: the leaf entry
 * alone decides what a page allows. Tables come from the pmm and, like
 * everything else, are identity-mapped. kernel/mm/paging.c decides what to map.
 *
 * The boot code (boot.S) already turned on long mode, EFER.NXE (when the CPU
 * has NX) and CR0.WP; arch_paging_enable only loads CR3.
 */
#include "kernel/arch.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/mm/mm.h"

typedef uint64_t pte_t;

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)	/* in a PDPT/PD entry: a large page */
#define PTE_NX		(1ull << 63)
#define PTE_ADDR	0x000ffffffffff000ull
#define LARGE		(2ull << 20)
#define MSR_EFER	0xc0000080
#define EFER_NXE	(1ull << 11)

/* text_poke's two alias pages: the top of the address space, never RAM. */
const uintptr_t arch_poke_alias = 0xffffffffffffc000ull;

static pte_t *pml4;
static int nx, live;

static unsigned idx(uintptr_t va, int level) { return (va >> (12 + 9 * level)) & 511; }
static pte_t *table_of(pte_t e) { return (pte_t *)(uintptr_t)(e & PTE_ADDR); }

const char *arch_paging_init(void)
{
	uint32_t r[4];

	cpuid(0x80000001, r);
	nx = (r[3] >> 20) & 1 && (rdmsr(MSR_EFER) & EFER_NXE);
	pml4 = pmm_alloc_page();
	if (!pml4)
		return NULL;
	return nx ? "4-level, NX" : "4-level, no NX";
}

int arch_paging_has_nx(void) { return nx; }

/* Identity mapping needs VA == PA: canonical lower half, and the CPU's PA width. */
uint64_t arch_ram_limit(void)
{
	uint32_t r[4];
	unsigned bits = 36;

	cpuid(0x80000000, r);
	if (r[0] >= 0x80000008) {
		cpuid(0x80000008, r);
		bits = r[0] & 0xff;
	}
	return 1ull << (bits < 47 ? bits : 47);
}

static pte_t leaf_bits(unsigned attr)
{
	pte_t e = PTE_P;

	if (attr & PG_WRITE)
		e |= PTE_W;
	if (attr & PG_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	if (!(attr & PG_EXEC) && nx)
		e |= PTE_NX;
	return e;
}

/* Replace a large page at *e (level 1 or 2) by a table of 512 smaller ones. */
static __noprobe int split(pte_t *e, int level)
{
	pte_t *t = pmm_alloc_page();
	pte_t flags = *e & ~PTE_ADDR, base = *e & PTE_ADDR & ~(LARGE - 1);
	uint64_t step = 1ull << (12 + 9 * (level - 1));

	if (level == 2)
		base = *e & PTE_ADDR & ~((1ull << 30) - 1);
	if (!t)
		return -ENOMEM;
	if (level - 1 == 0)
		flags &= ~PTE_PS;	/* in a PT, bit 7 is PAT, not PS */
	for (int i = 0; i < 512; i++)
		t[i] = (base + i * step) | flags;
	*e = (uintptr_t)t | PTE_P | PTE_W;
	if (live)
		write_cr3(read_cr3());	/* drop the cached large translation */
	return 0;
}

/*
 * The entry for va at `level`, creating missing tables and splitting large
 * pages above it when `create`; NULL if out of memory (or absent).
 */
static __noprobe pte_t *walk(uintptr_t va, int level, int create)
{
	pte_t *t = pml4;

	for (int l = 3; l > level; l--) {
		pte_t *e = &t[idx(va, l)];

		if (!(*e & PTE_P)) {
			pte_t *n;
			if (!create || !(n = pmm_alloc_page()))
				return NULL;
			*e = (uintptr_t)n | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			if (!create || split(e, l))
				return NULL;
		}
		t = table_of(*e);
	}
	return &t[idx(va, level)];
}

int __noprobe arch_map(uintptr_t va, uint64_t pa, uint64_t size, unsigned attr)
{
	pte_t bits = leaf_bits(attr);

	while (size) {
		pte_t *e;

		if ((attr & PG_LARGE) && !((va | pa) & (LARGE - 1)) && size >= LARGE) {
			e = walk(va, 1, 1);
			/* Keep an existing table: it may hold finer mappings. */
			if (e && (!(*e & PTE_P) || (*e & PTE_PS))) {
				*e = pa | bits | PTE_PS;
				if (live)
					invlpg(va);
				va += LARGE, pa += LARGE, size -= LARGE;
				continue;
			}
		}
		e = walk(va, 0, 1);
		if (!e)
			return -ENOMEM;
		*e = pa | bits;
		if (live)
			invlpg(va);
		va += PAGE_SIZE, pa += PAGE_SIZE;
		size = size > PAGE_SIZE ? size - PAGE_SIZE : 0;
	}
	return 0;
}

int __noprobe arch_unmap_page(uintptr_t va)
{
	pte_t *e = walk(va, 0, 1);

	if (!e)
		return -ENOMEM;
	*e = 0;
	if (live)
		invlpg(va);
	return 0;
}

int arch_page_attr(uintptr_t va)
{
	pte_t *t = pml4, e = 0;
	int attr;

	for (int l = 3; l >= 0; l--) {
		e = t[idx(va, l)];
		if (!(e & PTE_P))
			return -1;
		if (l == 0 || (e & PTE_PS))
			break;
		t = table_of(e);
	}
	attr = 0;
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

void arch_paging_enable(void)
{
	write_cr3((uintptr_t)pml4);
	write_cr0(read_cr0() | (1ul << 16));	/* WP: read-only means read-only for us too */
	live = 1;
}
