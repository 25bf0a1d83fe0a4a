/*
 * Memory self-tests: the page allocator, the heap, W^X page tables and
 * guard pages, text_poke (plain and the int3 protocol), execmem.
 */
#include "kernel/bootinfo.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mm/mm_internal.h"
#include "kernel/mm/text_poke.h"
#include "kernel/traps.h"
#include "lib/string.h"

#define PF_PRESENT	1
#define PF_WRITE	2
#define PF_IFETCH	16

/*
 * Test code in kernel text, in asm so its bytes are known:
 *   mm_poke_target   mov $7, %eax; ret            (text_poke changes the 7)
 *   mm_bp_target     5-byte nop; mov $7, %eax; ret (text_poke_bp: nop <-> call)
 *   mm_cross_target  mov $0x11223344, %eax; ret, starting 3 bytes before a
 *                    page boundary (a patch across two pages)
 */
asm(".pushsection .text.mm_test, \"ax\"\n"
    "	.balign 4096, 0xcc\n"
    "	.fill 4093, 1, 0xcc\n"
    "mm_cross_target:\n"
    "	movl $0x11223344, %eax\n"
    "	ret\n"
    "mm_poke_target:\n"
    "	movl $7, %eax\n"
    "	ret\n"
    "mm_bp_target:\n"
    "	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
    "	movl $7, %eax\n"
    "	ret\n"
    ".popsection");
int mm_poke_target(void), mm_bp_target(void), mm_cross_target(void);
asm(".set mm_poke_target_imm, mm_poke_target + 1");
extern uint8_t mm_poke_target_imm[];

static uint32_t rng = 2463534242u;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* ---- fault helpers (run under fault_catch) ---- */

static void read_byte(void *p) { (void)*(volatile uint8_t *)p; }
static void write_byte(void *p) { *(volatile uint8_t *)p = *(volatile uint8_t *)p; }
static void store_byte(void *p) { *(volatile uint8_t *)p = 0x5a; }
static void call_at(void *p) { ((void (*)(void))p)(); }

/* Expect fn(p) to take a #PF at p whose error code has `want` (and not `absent`). */
static void expect_pf(struct ktest *t, void (*fn)(void *), void *p, unsigned long want,
		      unsigned long absent)
{
	struct fault_record rec = { 0, 0, 0, 0 };

	if (!KEXPECT(t, fault_catch(fn, p, &rec)))
		return;
	KEXPECT_EQ(t, rec.vector, VEC_PF);
	KEXPECT_EQ(t, rec.cr2, (uintptr_t)p);
	KEXPECT_EQ(t, rec.error_code & (want | absent), want);
}

/* ---- pmm ---- */

static void test_pmm_alloc_free(struct ktest *t)
{
	struct pmm_stats a, b;
	uint8_t *p, *q;
	int zero = 1;

	pmm_get_stats(&a);
	p = pmm_alloc_page();
	pmm_get_stats(&b);
	if (!KEXPECT(t, p != NULL))
		return;
	KEXPECT_EQ(t, (uintptr_t)p & PAGE_MASK, 0);
	KEXPECT_EQ(t, b.free_pages, a.free_pages - 1);
	KEXPECT(t, arch_page_attr((uintptr_t)p) & PG_WRITE);
	for (int i = 0; i < PAGE_SIZE; i++)
		zero &= p[i] == 0;
	KEXPECT(t, zero);
	memset(p, 0xa5, PAGE_SIZE);
	KEXPECT_EQ(t, pmm_free_page(p), 0);
	q = pmm_alloc_page();		/* lowest first: the same page, zeroed again */
	KEXPECT(t, q == p);
	KEXPECT_EQ(t, q ? q[100] : 1, 0);
	KEXPECT_EQ(t, pmm_free_page(q), 0);
	pmm_get_stats(&b);
	KEXPECT_EQ(t, b.free_pages, a.free_pages);
	KEXPECT(t, a.total_pages >= a.free_pages && a.free_pages > 0);
}

static void test_pmm_contiguous(struct ktest *t)
{
	struct pmm_stats a, b;
	uint8_t *p;

	pmm_get_stats(&a);
	p = pmm_alloc_pages(16);
	pmm_get_stats(&b);
	if (!KEXPECT(t, p != NULL))
		return;
	KEXPECT_EQ(t, b.free_pages, a.free_pages - 16);
	p[16 * PAGE_SIZE - 1] = 1;	/* the whole run is mapped and writable */
	KEXPECT_EQ(t, pmm_free_pages(p, 16), 0);
	p = pmm_alloc_pages(a.total_pages + 1);
	KEXPECT(t, p == NULL);
	pmm_get_stats(&b);
	KEXPECT_EQ(t, b.free_pages, a.free_pages);
	KEXPECT_EQ(t, b.failed_allocs, a.failed_allocs + 1);
}

/* Allocated pages never overlap the first MiB, the kernel or the boot info. */
static void test_pmm_exclusions(struct ktest *t)
{
	static void *got[256];
	int bad = 0, n = 0;

	for (n = 0; n < 256; n++) {
		uintptr_t a;
		if (!(got[n] = pmm_alloc_page()))
			break;
		a = (uintptr_t)got[n];
		bad += a < 0x100000;
		bad += a >= (uintptr_t)__kernel_start && a < (uintptr_t)__kernel_end;
		bad += a + PAGE_SIZE > boot_info.info_start && a < boot_info.info_end;
		bad += (uint64_t)a >= arch_ram_limit();
	}
	KEXPECT_EQ(t, n, 256);
	KEXPECT_EQ(t, bad, 0);
	while (n--)
		pmm_free_page(got[n]);
}

static void test_pmm_bad_free(struct ktest *t)
{
	struct pmm_stats a, b;
	void *p = pmm_alloc_page();

	if (!KEXPECT(t, p != NULL))
		return;
	KEXPECT_EQ(t, pmm_free_page(p), 0);
	pmm_get_stats(&a);
	KEXPECT_EQ(t, pmm_free_page(p), -EINVAL);		/* double free */
	KEXPECT_EQ(t, pmm_free_page(__kernel_start), -EINVAL);	/* never ours */
	KEXPECT_EQ(t, pmm_free_page((uint8_t *)p + 8), -EINVAL);	/* unaligned */
	KEXPECT_EQ(t, pmm_free_page(NULL), -EINVAL);
	KEXPECT_EQ(t, pmm_free_page((void *)(uintptr_t)(boot_info.info_start & ~PAGE_MASK)), -EINVAL);
	pmm_get_stats(&b);
	KEXPECT_EQ(t, b.free_pages, a.free_pages);
	KEXPECT_EQ(t, b.bad_frees, a.bad_frees + 5);
	/* A run with one free page in it is refused whole. */
	p = pmm_alloc_pages(2);
	if (KEXPECT(t, p != NULL)) {
		pmm_free_page((uint8_t *)p + PAGE_SIZE);
		KEXPECT_EQ(t, pmm_free_pages(p, 2), -EINVAL);
		KEXPECT_EQ(t, pmm_free_page(p), 0);
	}
	pmm_get_stats(&b);
	KEXPECT_EQ(t, b.free_pages, a.free_pages);
}

static const struct ktest_case pmm_cases[] = {
	{ "alloc_free", test_pmm_alloc_free },
	{ "contiguous", test_pmm_contiguous },
	{ "exclusions", test_pmm_exclusions },
	{ "bad_free", test_pmm_bad_free },
	{ 0 },
};
static const struct ktest_suite pmm_suite = { "pmm", pmm_cases, NULL };
KTEST_SUITE(pmm_suite);

/* ---- heap ---- */

static void test_heap_basic(struct ktest *t)
{
	uint8_t *a = kmalloc(1), *b = kmalloc(100), *z = kzalloc(300);
	int zero = 1;

	if (!KEXPECT(t, a && b && z))
		return;
	KEXPECT_EQ(t, (uintptr_t)a % 16, 0);
	KEXPECT_EQ(t, (uintptr_t)b % 16, 0);
	KEXPECT(t, a + 1 <= b || b + 100 <= a);
	memset(b, 0x5a, 100);
	for (int i = 0; i < 300; i++)
		zero &= z[i] == 0;
	KEXPECT(t, zero);
	kfree(a);
	kfree(b);
	kfree(z);
	kfree(NULL);
}

#define SLOTS 128

/* Random sizes, random order; contents checked before each free; no leak. */
static void test_heap_stress(struct ktest *t)
{
	static uint8_t *slot[SLOTS];
	static size_t size[SLOTS];
	uint8_t *big[3];
	size_t big_size[3];
	struct heap_stats a, b;
	int corrupt = 0, allocs = 0;

	heap_get_stats(&a);
	/*
	 * Blocks bigger than an arena, the first bigger than all free heap
	 * memory (earlier tests may have grown the heap): it must grow.
	 */
	for (int i = 0; i < 3; i++) {
		big_size[i] = 600 * 1024;
		if (i == 0 && a.free_bytes + 64 * 1024 > big_size[i])
			big_size[i] = a.free_bytes + 64 * 1024;
		big[i] = kmalloc(big_size[i]);
		if (KEXPECT(t, big[i] != NULL))
			memset(big[i], i, big_size[i]);
	}
	for (int it = 0; it < 6000; it++) {
		int i = rnd() % SLOTS;

		if (slot[i]) {
			for (size_t j = 0; j < size[i]; j++)
				corrupt += slot[i][j] != (uint8_t)(i + j);
			kfree(slot[i]);
			slot[i] = NULL;
		} else {
			size[i] = rnd() % 8 == 0 ? rnd() % 20000 + 1 : rnd() % 300 + 1;
			slot[i] = kmalloc(size[i]);
			if (!slot[i])
				break;
			allocs++;
			for (size_t j = 0; j < size[i]; j++)
				slot[i][j] = (uint8_t)(i + j);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slot[i]) {
			for (size_t j = 0; j < size[i]; j++)
				corrupt += slot[i][j] != (uint8_t)(i + j);
			kfree(slot[i]);
			slot[i] = NULL;
		}
	}
	for (int i = 0; i < 3; i++) {
		for (size_t j = 0; big[i] && j < big_size[i]; j += 4096)
			corrupt += big[i][j] != i;
		kfree(big[i]);
	}
	heap_get_stats(&b);
	ktest_log(t, "%d allocations; arena %zu -> %zu KiB, %zu free blocks", allocs,
		  a.arena_bytes >> 10, b.arena_bytes >> 10, b.free_blocks);
	KEXPECT(t, b.arena_bytes > a.arena_bytes);
	KEXPECT(t, allocs > 2000);
	KEXPECT_EQ(t, corrupt, 0);
	KEXPECT_EQ(t, b.used_bytes, a.used_bytes);
	KEXPECT_EQ(t, b.used_blocks, a.used_blocks);
	KEXPECT_EQ(t, b.free_bytes, a.free_bytes + (b.arena_bytes - a.arena_bytes));
	KEXPECT_EQ(t, b.free_bytes + b.used_bytes, b.arena_bytes);
	KEXPECT_EQ(t, b.oom, a.oom);
	KEXPECT_EQ(t, b.bad_frees, a.bad_frees);
}

static void test_heap_double_free(struct ktest *t)
{
	struct heap_stats a, b;
	uint8_t *p = kmalloc(64), *q = kmalloc(64), *r = kmalloc(64);

	if (!KEXPECT(t, p && q && r))
		return;
	kfree(p);
	heap_get_stats(&a);
	kfree(p);			/* its header still says free */
	kfree(q);			/* q merges with p */
	kfree(q);			/* q's header is gone: caught inside the free block */
	heap_get_stats(&b);
	KEXPECT_EQ(t, b.bad_frees, a.bad_frees + 2);
	KEXPECT_EQ(t, b.free_bytes, a.free_bytes + (a.used_bytes - b.used_bytes));
	KEXPECT_EQ(t, b.used_blocks, a.used_blocks - 1);
	memset(r, 0x77, 64);
	kfree(r);
	p = kmalloc(200);
	KEXPECT(t, p != NULL);
	kfree(p);
}

static void test_heap_bad_pointer(struct ktest *t)
{
	static uint8_t global[64] __aligned(16);
	uint8_t local[32] __aligned(16);
	struct heap_stats a, b;
	uint8_t *p = kmalloc(256);
	int intact = 1;

	if (!KEXPECT(t, p != NULL))
		return;
	memset(p, 0x3c, 256);
	heap_get_stats(&a);
	kfree(p + 16);			/* inside a block */
	kfree(p + 1);			/* unaligned */
	kfree(global);
	kfree(local);
	kfree((void *)(uintptr_t)0x1000);
	kfree(__text_start);
	heap_get_stats(&b);
	KEXPECT_EQ(t, b.bad_frees, a.bad_frees + 6);
	KEXPECT_EQ(t, b.used_bytes, a.used_bytes);
	KEXPECT_EQ(t, b.free_bytes, a.free_bytes);
	for (int i = 0; i < 256; i++)
		intact &= p[i] == 0x3c;
	KEXPECT(t, intact);
	kfree(p);
	heap_get_stats(&b);
	KEXPECT_EQ(t, b.used_blocks, a.used_blocks - 1);
}

static void test_heap_oom(struct ktest *t)
{
	struct heap_stats a, b;
	struct pmm_stats pa;

	pmm_get_stats(&pa);
	heap_get_stats(&a);
	KEXPECT(t, kmalloc((size_t)-1) == NULL);
	KEXPECT(t, kmalloc((size_t)-1 - 64) == NULL);
	KEXPECT(t, kmalloc((pa.total_pages + 1) * PAGE_SIZE) == NULL);
	heap_get_stats(&b);
	KEXPECT_EQ(t, b.oom, a.oom + 3);
	KEXPECT_EQ(t, b.used_bytes, a.used_bytes);
	KEXPECT_EQ(t, b.arena_bytes, a.arena_bytes);
}

static const struct ktest_case heap_cases[] = {
	{ "basic", test_heap_basic },
	{ "stress", test_heap_stress },
	{ "double_free", test_heap_double_free },
	{ "bad_pointer", test_heap_bad_pointer },
	{ "oom", test_heap_oom },
	{ 0 },
};
static const struct ktest_suite heap_suite = { "heap", heap_cases, NULL };
KTEST_SUITE(heap_suite);

/* ---- paging ---- */

static const uint32_t ro_value = 0x12345678;
static uint8_t ret_in_data[16] = { 0xc3 };	/* ret */
static uint8_t guard_test[2 * PAGE_SIZE] __aligned(PAGE_SIZE);

static void test_paging_attrs(struct ktest *t)
{
	int nx = arch_paging_has_nx();

	KEXPECT_EQ(t, arch_page_attr((uintptr_t)mm_poke_target) & (PG_WRITE | PG_EXEC), PG_EXEC);
	KEXPECT_EQ(t, arch_page_attr((uintptr_t)&ro_value) & (PG_WRITE | PG_EXEC), nx ? 0 : PG_EXEC);
	KEXPECT_EQ(t, arch_page_attr((uintptr_t)ret_in_data) & (PG_WRITE | PG_EXEC),
		   PG_WRITE | (nx ? 0 : PG_EXEC));
	KEXPECT_EQ(t, arch_page_attr((uintptr_t)__kernel_end - 1) & PG_WRITE, 0);
	KEXPECT_EQ(t, arch_page_attr(0), -1);
	KEXPECT_EQ(t, arch_page_attr(0xb8000) & PG_WRITE, PG_WRITE);
	KEXPECT_EQ(t, arch_page_attr((uintptr_t)boot_stack_guard), -1);
	KEXPECT_EQ(t, arch_page_attr(arch_poke_alias), -1);
	if (boot_info.fb.type == FB_RGB)
		KEXPECT_EQ(t, arch_page_attr(boot_info.fb.addr) & (PG_WRITE | PG_UNCACHED),
			   PG_WRITE | PG_UNCACHED);
	/* Every page of the boot information stays readable. */
	KEXPECT(t, arch_page_attr(boot_info.info_start) >= 0);
	KEXPECT(t, arch_page_attr(boot_info.info_end - 1) >= 0);
}

/* All managed RAM is mapped RW+NX (on x86_64 also above 4 GiB), and readable. */
static void test_paging_ram_mapped(struct ktest *t)
{
	int nx = arch_paging_has_nx(), regions = 0;
	struct fault_record rec;

	for (int i = 0; i < boot_info.region_count; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		uint64_t first = (r->base + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
		uint64_t last = ((r->base + r->len) & ~(uint64_t)PAGE_MASK) - PAGE_SIZE;

		if (first < (uintptr_t)__kernel_end && last >= (uintptr_t)__kernel_start)
			first = (uintptr_t)__kernel_end;	/* the image has its own rights */
		if (r->type != MEM_AVAILABLE || first < 0x100000 || last < first ||
		    last >= arch_ram_limit())
			continue;
		regions++;
		/* pages the pmm handed out as guard pages (other CPUs' stacks) or execmem have their own rights */
		if (!mm_is_guard_page(first) && !execmem_contains((void *)(uintptr_t)first))
			KEXPECT_EQ(t, arch_page_attr(first) & (PG_WRITE | PG_EXEC), PG_WRITE | (nx ? 0 : PG_EXEC));
		if (!mm_is_guard_page(last) && !execmem_contains((void *)(uintptr_t)last))
			KEXPECT_EQ(t, arch_page_attr(last) & (PG_WRITE | PG_EXEC), PG_WRITE | (nx ? 0 : PG_EXEC));
		if (!mm_is_guard_page(last))
			KEXPECT_EQ(t, fault_catch(read_byte, (void *)(uintptr_t)(last + PAGE_SIZE - 1), &rec), 0);
		if (last >= 0x100000000ull)
			ktest_log(t, "RAM up to %#llx mapped", (unsigned long long)last + PAGE_SIZE);
	}
	KEXPECT(t, regions > 0);
}

static void test_paging_text_readonly(struct ktest *t)
{
	uint8_t before = *mm_poke_target_imm;

	expect_pf(t, write_byte, mm_poke_target_imm, PF_WRITE | PF_PRESENT, 0);
	KEXPECT_EQ(t, *mm_poke_target_imm, before);
	KEXPECT_EQ(t, mm_poke_target(), 7);
}

static void test_paging_rodata_readonly(struct ktest *t)
{
	expect_pf(t, write_byte, (void *)&ro_value, PF_WRITE | PF_PRESENT, 0);
	KEXPECT_EQ(t, ro_value, 0x12345678);
}

static void test_paging_guard(struct ktest *t)
{
	int before = mm_guard_page_count();

	expect_pf(t, read_byte, boot_stack_guard, 0, PF_PRESENT);
	expect_pf(t, read_byte, NULL, 0, PF_PRESENT);
	/* A page guarded now is unmapped now; its neighbour is not. */
	mm_guard_page(guard_test + PAGE_SIZE);
	KEXPECT_EQ(t, mm_guard_page_count(), before + 1);
	expect_pf(t, store_byte, guard_test + PAGE_SIZE + 5, PF_WRITE, PF_PRESENT);
	guard_test[PAGE_SIZE - 1] = 1;
	KEXPECT_EQ(t, guard_test[PAGE_SIZE - 1], 1);
	mm_guard_page(guard_test + 1);	/* unaligned: refused */
	KEXPECT_EQ(t, mm_guard_page_count(), before + 1);
}

static void test_paging_data_nx(struct ktest *t)
{
	if (!arch_paging_has_nx()) {
		ktest_skip(t, "this CPU has no NX: data is executable");
		return;
	}
	expect_pf(t, call_at, ret_in_data, PF_IFETCH | PF_PRESENT, PF_WRITE);
}

static void test_paging_mmio(struct ktest *t)
{
	KEXPECT_EQ(t, mm_map_mmio((uintptr_t)ret_in_data, 16), -EINVAL);	/* RAM */
	KEXPECT_EQ(t, mm_map_mmio(arch_poke_alias, PAGE_SIZE), -EINVAL);
	KEXPECT_EQ(t, mm_map_mmio(0xfec00000, 0), -EINVAL);
	KEXPECT_EQ(t, mm_map_mmio(1ull << 48, PAGE_SIZE), -ERANGE);
	KEXPECT_EQ(t, arch_page_attr((uintptr_t)ret_in_data) & PG_UNCACHED, 0);
	/* The I/O APIC's page: mapped uncached, readable (its version register). */
	KEXPECT_EQ(t, mm_map_mmio(0xfec00000, 0x20), 0);
	KEXPECT_EQ(t, arch_page_attr(0xfec00000) & (PG_WRITE | PG_UNCACHED | PG_EXEC),
		   PG_WRITE | PG_UNCACHED | (arch_paging_has_nx() ? 0 : PG_EXEC));
}

static const struct ktest_case paging_cases[] = {
	{ "attrs", test_paging_attrs },
	{ "ram_mapped", test_paging_ram_mapped },
	{ "text_readonly", test_paging_text_readonly },
	{ "rodata_readonly", test_paging_rodata_readonly },
	{ "guard_pages", test_paging_guard },
	{ "data_nx", test_paging_data_nx },
	{ "mmio", test_paging_mmio },
	{ 0 },
};
static const struct ktest_suite paging_suite = { "paging", paging_cases, NULL };
KTEST_SUITE(paging_suite);

/* ---- text_poke ---- */

static void test_poke_text(struct ktest *t)
{
	const uint8_t nine = 9, seven = 7;
	uint64_t t0;

	KEXPECT_EQ(t, mm_poke_target(), 7);
	KEXPECT_EQ(t, text_poke(mm_poke_target_imm, &nine, 1), 0);
	KEXPECT_EQ(t, *mm_poke_target_imm, 9);		/* seen through the normal mapping */
	KEXPECT_EQ(t, mm_poke_target(), 9);		/* and executed */
	expect_pf(t, write_byte, mm_poke_target_imm, PF_WRITE | PF_PRESENT, 0);
	KEXPECT_EQ(t, text_poke(mm_poke_target_imm, &seven, 1), 0);
	KEXPECT_EQ(t, mm_poke_target(), 7);
	t0 = rdtsc();
	for (int i = 0; i < 100; i++)
		text_poke(mm_poke_target_imm, &seven, 1);
	ktest_log(t, "text_poke of one byte: %llu cycles", (unsigned long long)(rdtsc() - t0) / 100);
	KEXPECT_EQ(t, arch_page_attr((uintptr_t)mm_poke_target) & PG_WRITE, 0);
	KEXPECT_EQ(t, arch_page_attr(arch_poke_alias), -1);
}

static void test_poke_cross_page(struct ktest *t)
{
	uint8_t *p = (uint8_t *)mm_cross_target;
	const uint8_t imm[4] = { 0x88, 0x77, 0x66, 0x55 }, old[4] = { 0x44, 0x33, 0x22, 0x11 };

	KEXPECT_EQ(t, ((uintptr_t)p + 3) & PAGE_MASK, 0);	/* really straddles */
	KEXPECT_EQ(t, mm_cross_target(), 0x11223344);
	KEXPECT_EQ(t, text_poke(p + 1, imm, 4), 0);
	KEXPECT_EQ(t, mm_cross_target(), 0x55667788);
	KEXPECT_EQ(t, text_poke(p + 1, old, 4), 0);
	KEXPECT_EQ(t, mm_cross_target(), 0x11223344);
}

static void test_poke_refuses(struct ktest *t)
{
	static uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t junk[8] = { 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc };
	uint8_t end_before[2], start_before = *(volatile uint8_t *)__text_start;
	static const uint8_t data_copy[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	/* via integers: the compiler objects to pointers outside a symbol's "array" */
	uint8_t *text_end2 = (uint8_t *)((uintptr_t)__text_end - 2);
	uint8_t *before_text = (uint8_t *)((uintptr_t)__text_start - 1);

	memcpy(end_before, text_end2, 2);
	KEXPECT_EQ(t, text_poke(data, junk, 8), -EFAULT);
	KEXPECT_EQ(t, text_poke((void *)&ro_value, junk, 4), -EFAULT);
	KEXPECT_EQ(t, text_poke(text_end2, junk, 4), -EFAULT);	/* runs past text */
	KEXPECT_EQ(t, text_poke(before_text, junk, 2), -EFAULT);
	KEXPECT_EQ(t, text_poke(NULL, junk, 1), -EFAULT);
	KEXPECT_EQ(t, text_poke(__text_start, junk, 0), -EINVAL);
	KEXPECT_EQ(t, text_poke(__text_start, NULL, 1), -EINVAL);
	KEXPECT_EQ(t, text_poke(__text_start, junk, PAGE_SIZE + 1), -EINVAL);
	KEXPECT_EQ(t, memcmp(data, data_copy, 8), 0);
	KEXPECT_EQ(t, memcmp(end_before, text_end2, 2), 0);
	KEXPECT_EQ(t, *(volatile uint8_t *)__text_start, start_before);
	KEXPECT_EQ(t, ro_value, 0x12345678);
}

/* text_poke_bp on mm_bp_target while calling it at every step. */
static volatile int bp_calls;
static int step_ret[4], step_calls[4], step_byte0[4];

static __noinline void mm_bp_callee(void)
{
	bp_calls++;
}

static void bp_step(int step)
{
	int before = bp_calls;

	step_byte0[step] = *(volatile uint8_t *)mm_bp_target;
	step_ret[step] = mm_bp_target();	/* at steps 1, 2 through the #BP hook */
	step_calls[step] = bp_calls - before;
}

static void test_poke_bp_live(struct ktest *t)
{
	static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	uint8_t call[5];
	int32_t rel = (int32_t)((uintptr_t)mm_bp_callee - ((uintptr_t)mm_bp_target + 5));

	call[0] = 0xe8;
	memcpy(call + 1, &rel, 4);
	bp_calls = 0;
	KEXPECT_EQ(t, mm_bp_target(), 7);
	KEXPECT_EQ(t, bp_calls, 0);

	/* nop -> call: every step's call of the target must reach the callee. */
	text_poke_bp_step_hook = bp_step;
	KEXPECT_EQ(t, text_poke_bp(mm_bp_target, call, 5, NULL), 0);
	text_poke_bp_step_hook = NULL;
	for (int s = 1; s <= 3; s++) {
		KEXPECT_EQ(t, step_byte0[s], s < 3 ? 0xcc : 0xe8);
		KEXPECT_EQ(t, step_ret[s], 7);
		KEXPECT_EQ(t, step_calls[s], 1);
	}
	KEXPECT_EQ(t, memcmp((void *)mm_bp_target, call, 5), 0);
	KEXPECT_EQ(t, mm_bp_target(), 7);
	KEXPECT_EQ(t, bp_calls, 4);

	/* call -> nop: from the first step on the callee is no longer reached. */
	text_poke_bp_step_hook = bp_step;
	KEXPECT_EQ(t, text_poke_bp(mm_bp_target, nop5, 5, NULL), 0);
	text_poke_bp_step_hook = NULL;
	for (int s = 1; s <= 3; s++) {
		KEXPECT_EQ(t, step_ret[s], 7);
		KEXPECT_EQ(t, step_calls[s], 0);
	}
	KEXPECT_EQ(t, memcmp((void *)mm_bp_target, nop5, 5), 0);
	KEXPECT_EQ(t, mm_bp_target(), 7);
	KEXPECT_EQ(t, bp_calls, 4);
}

static void test_poke_bp_refuses(struct ktest *t)
{
	static const uint8_t mov[5] = { 0xb8, 0x01, 0x00, 0x00, 0x00 };	/* mov $1, %eax */
	static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static uint8_t data[5];
	uint8_t before[5];

	memcpy(before, (void *)mm_bp_target, 5);
	KEXPECT_EQ(t, text_poke_bp(mm_bp_target, mov, 5, NULL), -EINVAL);	/* not emulatable */
	KEXPECT_EQ(t, text_poke_bp(mm_bp_target, nop5, 4, NULL), -EINVAL);	/* wrong length */
	KEXPECT_EQ(t, text_poke_bp(data, nop5, 5, NULL), -EFAULT);
	KEXPECT_EQ(t, memcmp(before, (void *)mm_bp_target, 5), 0);
	KEXPECT_EQ(t, data[0], 0);
	KEXPECT_EQ(t, mm_bp_target(), 7);
}

static const struct ktest_case poke_cases[] = {
	{ "poke_text", test_poke_text },
	{ "cross_page", test_poke_cross_page },
	{ "refuses", test_poke_refuses },
	{ "bp_live", test_poke_bp_live },
	{ "bp_refuses", test_poke_bp_refuses },
	{ 0 },
};
static const struct ktest_suite poke_suite = { "text_poke", poke_cases, NULL };
KTEST_SUITE(poke_suite);

/* ---- execmem ---- */

static void test_execmem_exec(struct ktest *t)
{
	static const uint8_t ret42[6] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };	/* mov $42, %eax; ret */
	uint8_t *p = execmem_alloc(sizeof(ret42));
	uint64_t lo, hi;
	int fill = 1;

	if (!KEXPECT(t, p != NULL))
		return;
	for (int i = 0; i < 64; i++)
		fill &= p[i] == 0xcc;
	KEXPECT(t, fill);
	lo = (uintptr_t)p < (uintptr_t)__text_start ? (uintptr_t)p : (uintptr_t)__text_start;
	hi = (uintptr_t)p + 64 > (uintptr_t)__text_end ? (uintptr_t)p + 64 : (uintptr_t)__text_end;
	KEXPECT(t, hi - lo < 0x80000000ull);
	KEXPECT_EQ(t, arch_page_attr((uintptr_t)p) & (PG_WRITE | PG_EXEC), PG_EXEC);
	KEXPECT_EQ(t, text_poke(p, ret42, sizeof(ret42)), 0);
	KEXPECT_EQ(t, ((int (*)(void))p)(), 42);
	expect_pf(t, write_byte, p, PF_WRITE | PF_PRESENT, 0);
	KEXPECT_EQ(t, p[0], 0xb8);
	KEXPECT_EQ(t, execmem_free(p), 0);
}

static void test_execmem_blocks(struct ktest *t)
{
	static uint8_t *blk[100];
	static size_t len[100];
	struct pmm_stats a, b;
	int overlap = 0, n;

	pmm_get_stats(&a);
	for (n = 0; n < 100; n++) {
		len[n] = rnd() % 300 + 1;
		blk[n] = execmem_alloc(len[n]);
		if (!blk[n])
			break;
	}
	KEXPECT_EQ(t, n, 100);
	for (int i = 0; i < n; i++) {
		KEXPECT_EQ(t, (uintptr_t)blk[i] % 64, 0);
		KEXPECT(t, execmem_contains(blk[i]) && execmem_contains(blk[i] + len[i] - 1));
		KEXPECT(t, execmem_contains_range(blk[i], len[i]));
		for (int j = 0; j < i; j++)
			overlap += blk[i] < blk[j] + len[j] && blk[j] < blk[i] + len[i];
	}
	KEXPECT_EQ(t, overlap, 0);
	for (int i = 0; i < n; i += 2)
		KEXPECT_EQ(t, execmem_free(blk[i]), 0);
	for (int i = 0; i < n; i += 2)
		KEXPECT(t, !execmem_contains(blk[i]));
	KEXPECT_EQ(t, blk[0][0], 0xcc);		/* freed blocks are refilled with int3 */
	for (int i = 1; i < n; i += 2)
		KEXPECT_EQ(t, execmem_free(blk[i]), 0);
	/* Empty pages went back (a page table made by a split may stay). */
	pmm_get_stats(&b);
	KEXPECT(t, b.free_pages <= a.free_pages && b.free_pages + 2 >= a.free_pages);
}

static void test_execmem_refuses(struct ktest *t)
{
	static uint8_t data[64];
	uint8_t *p = execmem_alloc(100);
	const uint8_t ret = 0xc3;

	if (!KEXPECT(t, p != NULL))
		return;
	KEXPECT(t, execmem_alloc(0) == NULL);
	KEXPECT(t, execmem_alloc(PAGE_SIZE + 1) == NULL);
	KEXPECT_EQ(t, execmem_free(p + 64), -EINVAL);	/* not a block start */
	KEXPECT_EQ(t, execmem_free(data), -EINVAL);
	KEXPECT_EQ(t, text_poke(p + 127, &ret, 2), -EFAULT);	/* runs past the block */
	KEXPECT_EQ(t, text_poke(p + 127, &ret, 1), 0);
	KEXPECT_EQ(t, execmem_free(p), 0);
	KEXPECT_EQ(t, execmem_free(p), -EINVAL);	/* double free */
	KEXPECT_EQ(t, text_poke(p, &ret, 1), -EFAULT);	/* freed: no longer pokeable */
}

static const struct ktest_case execmem_cases[] = {
	{ "exec", test_execmem_exec },
	{ "blocks", test_execmem_blocks },
	{ "refuses", test_execmem_refuses },
	{ 0 },
};
static const struct ktest_suite execmem_suite = { "execmem", execmem_cases, NULL };
KTEST_SUITE(execmem_suite);
