#include <stdlib.h>
/*
 * Host stand-ins for the kernel functions the fuzzed parsers call: page
 * tables (a set of pages), fault_catch (a direct call: the fake page tables
 * already keep reads inside real memory), the probe back-ends (they accept
 * and count), the clock. printk is the kernel's own console.c with no
 * console registered, so every format string still runs through lib/format.
 */
#include <stdarg.h>
#include <sys/mman.h>

#include "tests/fuzz/kshim.h"
#include "lib/string.h"
#include "kernel/trace/trace.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/kallsyms.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/kprobes.h"
#include "kernel/probes/rethook.h"
#include "kernel/traps.h"
#include "kernel/tsc.h"

#define MAX_PAGES 64
#define MAX_CHUNKS 32

static uintptr_t pages[MAX_PAGES];
static unsigned npages;
long kshim_registered;
struct tsc_info tsc;

void kshim_pages_reset(void)
{
	npages = 0;
}

void kshim_pages_add(uintptr_t start, size_t len)
{
	for (uintptr_t p = start & ~(uintptr_t)(PAGE_SIZE - 1); p < start + len && npages < MAX_PAGES;
	     p += PAGE_SIZE)
		pages[npages++] = p;
}

int mm_paging_on(void)
{
	return 1;
}

int arch_page_attr(uintptr_t va)
{
	for (unsigned i = 0; i < npages; i++)
		if (pages[i] == (va & ~(uintptr_t)(PAGE_SIZE - 1)))
			return 0;
	return -1;
}

/* Device or firmware memory: only what the fuzz input put there can be mapped. */
int mm_map_mmio(uint64_t phys, uint64_t size)
{
	(void)size;
	return arch_page_attr((uintptr_t)phys) >= 0 ? -EEXIST : -EFAULT;
}

static struct { void *at; size_t len; } chunks[MAX_CHUNKS];
static unsigned nchunks;

int kshim_phys_map(uint64_t phys, const uint8_t *data, size_t len)
{
	uintptr_t start = (uintptr_t)phys & ~(uintptr_t)(PAGE_SIZE - 1);
	size_t span = ((uintptr_t)phys + len + PAGE_SIZE - 1 - start) & ~(size_t)(PAGE_SIZE - 1);
	void *at;

	/* Below ASan's shadow (0x7fff8000) and above the null page; never over a host mapping. */
	if (!len || nchunks == MAX_CHUNKS || phys < 0x10000 || phys + len > 0x7fff0000ull ||
	    len > (1u << 20))
		return -1;
	at = mmap((void *)start, span, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (at == MAP_FAILED)
		return -1;
	if (at != (void *)start) {
		munmap(at, span);
		return -1;
	}
	__builtin_memcpy((void *)(uintptr_t)phys, data, len);
	chunks[nchunks].at = at;
	chunks[nchunks++].len = span;
	kshim_pages_add(start, span);
	return 0;
}

void kshim_phys_unmap_all(void)
{
	while (nchunks--)
		munmap(chunks[nchunks].at, chunks[nchunks].len);
	nchunks = 0;
	kshim_pages_reset();
}

static void *mb2_map;
static size_t mb2_len;

uint32_t kshim_mb2_info(const uint8_t *tags, size_t len)
{
	size_t total = 8 + ((len + 7) & ~(size_t)7);
	size_t span = (total + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE + PAGE_SIZE;
	uint8_t *info;
	uint32_t t32 = (uint32_t)total;

	if (len > (1u << 20))
		return 0;
	mb2_map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (mb2_map == MAP_FAILED)
		return mb2_map = NULL, 0;
	mb2_len = span;
	mprotect((uint8_t *)mb2_map + span - PAGE_SIZE, PAGE_SIZE, PROT_NONE);
	info = (uint8_t *)mb2_map + span - PAGE_SIZE - total;	/* 8-aligned: total is */
	__builtin_memcpy(info, &t32, 4);
	__builtin_memset(info + 4, 0, 4);
	__builtin_memset(info + 8, 0, total - 8);
	__builtin_memcpy(info + total - ((len + 7) & ~(size_t)7), tags, len);
	return (uint32_t)(uintptr_t)info;
}

void kshim_mb2_free(void)
{
	if (mb2_map)
		munmap(mb2_map, mb2_len);
	mb2_map = NULL;
}

/* The reads it guards stay inside pages arch_page_attr() accepted. */
int fault_catch(void (*fn)(void *), void *arg, struct fault_record *rec)
{
	(void)rec;
	fn(arg);
	return 0;
}

/* Every function's first byte is an fentry site here: p events at offset 0 take the fentry path. */
int fentry_site_exists(unsigned long addr)
{
	unsigned long off;

	return sym_lookup(addr, &off, NULL) && off == 0;
}

int ftrace_ops_register_ip(struct ftrace_ops *ops, unsigned long addr)
{
	(void)ops, (void)addr;
	kshim_registered++;
	return 0;
}

int ftrace_ops_unregister(struct ftrace_ops *ops)
{
	(void)ops;
	kshim_registered--;
	return 0;
}

/* Odd addresses are refused with a status, as a real kprobe refuses a mid-instruction address. */
int kprobe_register(struct kprobe *p)
{
	if (p->addr & 1) {
		p->status = "refused by the shim: odd address";
		return -EINVAL;
	}
	kshim_registered++;
	return 0;
}

int kprobe_unregister(struct kprobe *p)
{
	(void)p;
	kshim_registered--;
	return 0;
}

int rethook_register(struct rethook *rh)
{
	(void)rh;
	kshim_registered++;
	return 0;
}

int rethook_unregister(struct rethook *rh)
{
	(void)rh;
	kshim_registered--;
	return 0;
}

uint64_t trace_start_tsc(void)
{
	return 1000;
}

/* The trace buffer holds one event: the last one a hit recorded. */
struct trace_record kshim_last_event;
unsigned char kshim_last_data[TRACE_EVENT_MAX_DATA];
unsigned kshim_last_len;

int trace_event_add(const struct trace_record *rec, const void *data, unsigned len)
{
	if (len > TRACE_EVENT_MAX_DATA)
		__builtin_trap();
	kshim_last_event = *rec;
	kshim_last_event.event.len = (uint16_t)len;
	memcpy(kshim_last_data, data, len);
	kshim_last_len = len;
	return 0;
}

uint64_t tsc_cycles_to_ns(uint64_t cycles)
{
	return cycles / 3;
}

/* One CPU: what is retired can go at once. */
void retire_kfree(void *p)
{
	free(p);
}

void retire_flush(void)
{
}

/* The heap: the host's. */
void *kmalloc(size_t size)
{
	return malloc(size);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

/*
 * The x86_64 kernel's own BTF, as the linker script places it: probe
 * definitions that name parameters and members resolve as in the kernel.
 */
__asm__(".section .rodata\n"
	".balign 4\n"
	".globl __btf_start\n__btf_start:\n"
	".incbin \"" KSHIM_BTF_BIN "\"\n"
	".globl __btf_end\n__btf_end:\n"
	".previous\n");
