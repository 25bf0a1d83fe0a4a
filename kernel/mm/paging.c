/*
 * What our page tables map, and how (the mechanics are arch/<arch>/paging.c):
 *
 *   page 0                  unmapped: NULL dereferences fault
 *   4 KiB .. 1 MiB          RW, NX (VGA text, BIOS data, EBDA, option ROMs)
 *   RAM, ACPI tables        RW, NX, large pages where aligned
 *   kernel text             R, X   \
 *   kernel rodata           R, NX   |  4 KiB pages (W^X: nothing is both
 *   kernel data + bss       RW, NX  |  writable and executable)
 *   .kallsyms               R, NX  /
 *   guard pages             unmapped (boot_stack_guard, mm_guard_page())
 *   framebuffer, MMIO       RW, NX, uncached (mm_map_mmio())
 *   text_poke alias         two pages at arch_poke_alias, mapped only while
 *                           text_poke writes through them
 *
 * CR0.WP makes read-only pages read-only for the kernel too. Everything is
 * identity-mapped, so a pointer is also a physical address.
 */
#include "kernel/bootinfo.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/mm/mm_internal.h"
#include "kernel/smp/smp.h"

#define LOW_MEMORY	0x100000u
#define MAX_GUARDS	(32 + 4 * 64)	/* 64 CPUs: a stack and up to 3 exception stacks each */
#define MAX_MMIO	16

static int paging_on, paging_failed;
static uintptr_t guards[MAX_GUARDS];
static int nguards;
static struct { uint64_t base, end; } mmio[MAX_MMIO];	/* requests made before paging */
static int nmmio;

static uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(uint64_t)PAGE_MASK; }
static uint64_t page_down(uint64_t a) { return a & ~(uint64_t)PAGE_MASK; }
/* Identity mapping needs the physical address to be a virtual one too. */
static uint64_t va_end(void) { return sizeof(uintptr_t) == 4 ? 1ull << 32 : 1ull << 47; }

int __noprobe mm_paging_on(void)
{
	return paging_on;
}

static void map(uint64_t start, uint64_t end, unsigned attr, const char *what)
{
	int err;

	if (start >= end)
		return;
	err = arch_map(start, start, end - start, attr);
	if (err) {
		printk("paging: cannot map %s %#llx-%#llx (error %d)\n", what,
		       (unsigned long long)start, (unsigned long long)end - 1, err);
		paging_failed = 1;
	}
}

/* Map whatever of [start, end) is not mapped yet (boot info, modules). */
static void map_if_unmapped(uint64_t start, uint64_t end, const char *what)
{
	for (uint64_t a = page_down(start); a < end; a += PAGE_SIZE)
		if (arch_page_attr(a) < 0)
			map(a, a + PAGE_SIZE, PG_WRITE, what);
}

static int is_ram(uint64_t start, uint64_t end)
{
	for (int i = 0; i < boot_info.region_count; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MEM_AVAILABLE && start < r->base + r->len && end > r->base)
			return 1;
	}
	return 0;
}

int mm_map_mmio(uint64_t phys, uint64_t size)
{
	uint64_t start = page_down(phys), end = page_up(phys + size);

	if (!size || end <= start || (start < arch_poke_alias + 2 * PAGE_SIZE && end > arch_poke_alias)) {
		printk("mm_map_mmio(%#llx, %#llx) refused: bad range\n", (unsigned long long)phys,
		       (unsigned long long)size);
		return -EINVAL;
	}
	if (end > va_end()) {
		printk("mm_map_mmio(%#llx, %#llx) refused: beyond the virtual address space\n",
		       (unsigned long long)phys, (unsigned long long)size);
		return -ERANGE;
	}
	if (start >= LOW_MEMORY && is_ram(start, end)) {
		printk("mm_map_mmio(%#llx, %#llx) refused: that is RAM\n", (unsigned long long)phys,
		       (unsigned long long)size);
		return -EINVAL;
	}
	if (start < LOW_MEMORY)		/* already mapped with the low 1 MiB */
		start = LOW_MEMORY;
	if (start >= end)
		return 0;
	if (paging_on)
		return arch_map(start, start, end - start, PG_WRITE | PG_UNCACHED | PG_LARGE);
	if (nmmio == MAX_MMIO) {
		printk("mm_map_mmio: more than %d requests before paging; refused\n", MAX_MMIO);
		return -ENOSPC;
	}
	mmio[nmmio].base = start;
	mmio[nmmio].end = end;
	nmmio++;
	return 0;
}

void mm_guard_page(void *page)
{
	uintptr_t a = (uintptr_t)page;

	if (!a || (a & PAGE_MASK) || (a >= (uintptr_t)__text_start && a < (uintptr_t)__rodata_end)) {
		printk("mm_guard_page(%p) refused: not a page-aligned data page\n", page);
		return;
	}
	for (int i = 0; i < nguards; i++)
		if (guards[i] == a)
			return;
	if (nguards == MAX_GUARDS) {
		printk("mm_guard_page(%p) refused: more than %d guard pages\n", page, MAX_GUARDS);
		return;
	}
	guards[nguards++] = a;
	if (paging_on)
		arch_unmap_page(a);
}

int mm_guard_page_count(void)
{
	return nguards;
}

int mm_is_guard_page(uintptr_t page)
{
	for (int i = 0; i < nguards; i++)
		if (guards[i] == (page & ~PAGE_MASK))
			return 1;
	return 0;
}

int mm_set_page_attr(void *page, unsigned attr)
{
	uintptr_t a = (uintptr_t)page;

	int err;

	if (!paging_on || (a & PAGE_MASK))
		return -EINVAL;
	err = arch_map(a, a, PAGE_SIZE, attr);
	/* Other CPUs may hold the old translation (or the large page it was split from). */
	smp_flush_tlb_others();
	return err;
}

static void map_kernel_image(void)
{
	uintptr_t text = (uintptr_t)__kernel_start, rodata = (uintptr_t)__rodata_start;
	uintptr_t data = (uintptr_t)__data_start, syms = page_up((uintptr_t)__data_end);

	map(text, rodata, PG_EXEC, "kernel text");
	map(rodata, data, 0, "kernel rodata");
	map(data, syms, PG_WRITE, "kernel data");
	map(syms, (uintptr_t)__kernel_end, 0, "kernel symbols");
}

void paging_init(void)
{
	const struct fb_info *fb = &boot_info.fb;
	const char *mode = arch_paging_init();

	if (!mode) {
		printk("paging: no memory for page tables; keeping the boot mapping\n");
		return;
	}
	printk("paging: %s\n", mode);
	map(PAGE_SIZE, LOW_MEMORY, PG_WRITE, "low memory");
	for (int i = 0; i < boot_info.region_count; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		uint64_t start = page_down(r->base), end = page_up(r->base + r->len);

		if (start < LOW_MEMORY)
			start = LOW_MEMORY;
		if (r->type == MEM_AVAILABLE && end > arch_ram_limit())
			end = arch_ram_limit();
		if (end > va_end())	/* i386: ACPI tables above 4 GiB stay out of reach */
			end = va_end();
		if (r->type == MEM_AVAILABLE || r->type == MEM_ACPI_RECLAIMABLE ||
		    r->type == MEM_ACPI_NVS)
			map(start, end, PG_WRITE | PG_LARGE, r->type == MEM_AVAILABLE ? "RAM" : "ACPI");
	}
	map_kernel_image();
	map_if_unmapped(boot_info.info_start, boot_info.info_end, "boot information");
	for (int i = 0; i < boot_info.module_count; i++)
		map_if_unmapped(boot_info.modules[i].start, boot_info.modules[i].end, "module");
	if (fb->type != FB_NONE)
		mm_map_mmio(fb->addr, (uint64_t)fb->pitch * fb->height);
	for (int i = 0; i < nmmio; i++)
		map(mmio[i].base, mmio[i].end, PG_WRITE | PG_UNCACHED | PG_LARGE, "MMIO");

	mm_guard_page(boot_stack_guard);
	for (int i = 0; i < nguards; i++)
		if (arch_unmap_page(guards[i]))
			paging_failed = 1;
	/* Create the alias pages' tables now: text_poke must never allocate. */
	map(arch_poke_alias, arch_poke_alias + 2 * PAGE_SIZE, PG_WRITE, "text_poke alias");
	arch_unmap_page(arch_poke_alias);
	arch_unmap_page(arch_poke_alias + PAGE_SIZE);

	if (paging_failed) {
		printk("paging: incomplete page tables; keeping the boot mapping\n");
		return;
	}
	arch_paging_enable();
	arch_page_table_changed();	/* i386: the #DF task's TSS holds CR3 too */
	paging_on = 1;
	pmm_all_mapped();
}

static const char *perms(const void *p)
{
	static const char *const names[] = { "R--", "RW-", "R-X", "RWX" };
	int a = arch_page_attr((uintptr_t)p);

	return a < 0 ? "unmapped" : names[a & (PG_WRITE | PG_EXEC)];
}

void mm_init(void)
{
	struct pmm_stats ps;
	size_t before;

	pmm_init();
	pmm_get_stats(&ps);
	before = ps.free_pages;
	paging_init();
	text_poke_init();
	pmm_get_stats(&ps);
	printk("paging: %zu KiB of page tables\n", (before - ps.free_pages) * (PAGE_SIZE / 1024));
	if (!paging_on) {
		printk("memory: %zu MiB free, paging off\n", ps.free_pages >> 8);
		return;
	}
	printk("memory: %zu MiB free, kernel text %s, rodata %s, data %s, guard pages: %d\n",
	       ps.free_pages >> 8, perms(__text_start), perms(__rodata_start), perms(__data_start),
	       nguards);
}
