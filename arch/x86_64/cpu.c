/*
 * x86_64 descriptor tables: per CPU a GDT (code64 0x08, data 0x10, TSS
 * 0x18) and a TSS whose IST stacks carry #DF, NMI and #MC (each with a
 * guard page below it); one IDT for all, pointing at the stubs in entry.S.
 * The GS base is the CPU's per-CPU offset (kernel/smp/percpu.h).
 */
#include <stdint.h>
#include "kernel/arch.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/smp/smp.h"
#include "kernel/traps.h"
#include "kernel/unwind.h"

#define TSS_SEL		0x18
#define IST_STACK_SIZE	(16 * 1024)

enum { IST_DF = 1, IST_NMI = 2, IST_MC = 3, NR_IST = 3 };

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];		/* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;		/* type 0x8e: present, DPL 0, interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi, reserved;
};

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* entry.S: the exception stubs, then the stubs of the interrupt vectors */
extern void *const trap_stub_table[NR_EXCEPTIONS];
void trap_stub_ipi_call(void);
void trap_stub_spurious(void);

#define MSR_GS_BASE	0xc0000101

/* What each CPU has of its own: GDT (its TSS descriptor) and TSS (its IST stacks). */
struct cpu_tables {
	uint64_t gdt[5];
	struct tss tss;
};

static const uint64_t gdt_template[5] = {
	0,
	0x00af9a000000ffffull,		/* 0x08: 64-bit code */
	0x00cf92000000ffffull,		/* 0x10: data */
	0, 0,				/* 0x18: TSS (16 bytes), filled in below */
};
static struct cpu_tables boot_tables __aligned(16);
static struct cpu_tables *tables[NR_CPUS];
static struct idt_gate idt[256] __aligned(16);		/* one for every CPU */

/* CPU 0's IST stacks: a guard page, then the stack, growing down from the end. */
static char ist_stacks[NR_IST][PAGE_SIZE + IST_STACK_SIZE] __aligned(PAGE_SIZE);

static void gdt_set_tss(struct cpu_tables *t)
{
	uint64_t base = (uint64_t)&t->tss, limit = sizeof(t->tss) - 1;

	/* 64-bit available TSS (type 9), present */
	t->gdt[TSS_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			      ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	t->gdt[TSS_SEL / 8 + 1] = base >> 32;
}

static void idt_set(int vec, void *handler, int ist)
{
	uint64_t a = (uint64_t)handler;

	idt[vec] = (struct idt_gate){
		.off_lo = a & 0xffff, .sel = KERNEL_CS, .ist = ist, .type = 0x8e,
		.off_mid = a >> 16 & 0xffff, .off_hi = a >> 32,
	};
}

static int ist_of(int vec)
{
	/* #BP and #DB stay on the interrupted stack: probe handlers nest. */
	switch (vec) {
	case VEC_DF: return IST_DF;
	case VEC_NMI: return IST_NMI;
	case VEC_MC: return IST_MC;
	default: return 0;
	}
}

/* t's GDT and TSS around the IST stacks (each: a guard page, then the stack). */
static void tables_init(struct cpu_tables *t, char *const ist[NR_IST])
{
	for (int i = 0; i < 5; i++)
		t->gdt[i] = gdt_template[i];
	for (int i = 0; i < NR_IST; i++) {
		char *top = ist[i] + PAGE_SIZE + IST_STACK_SIZE;

		t->tss.ist[i] = (uint64_t)top;
		mm_guard_page(ist[i]);
		unwind_register_stack((unsigned long)ist[i] + PAGE_SIZE, (unsigned long)top);
	}
	t->tss.iomap_base = sizeof(t->tss);
	gdt_set_tss(t);
}

int arch_cpu_prepare(int cpu)
{
	struct cpu_tables *t = kzalloc(sizeof(*t));
	char *ist[NR_IST];

	if (!t)
		return -ENOMEM;
	for (int i = 0; i < NR_IST; i++) {
		ist[i] = pmm_alloc_pages((PAGE_SIZE + IST_STACK_SIZE) / PAGE_SIZE);
		if (!ist[i])
			return -ENOMEM;		/* (leaks what it got: boot time, out of memory) */
	}
	tables_init(t, ist);
	tables[cpu] = t;
	return 0;
}

/* On the CPU itself: load its GDT, every segment register (cs by a far return), TR, LDTR, the IDT. */
void __noprobe arch_cpu_start(int cpu, unsigned long percpu_off)
{
	struct cpu_tables *t = tables[cpu];
	struct table_ptr gp = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };
	struct table_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };

	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\tmovl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "movl %%eax, %%fs\n\t"
		     "movl %%eax, %%gs\n\t"
		     "ltr %w3\n\t"
		     "lldt %w4"		/* no LDT: whatever the firmware left is not ours */
		     : : "m"(gp), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"(TSS_SEL), "r"(0) : "rax", "memory");
	/* The per-CPU segment (kernel/smp/percpu.h): loading %gs above may have cleared it. */
	wrmsr(MSR_GS_BASE, percpu_off);
	asm volatile("lidt %0" : : "m"(ip) : "memory");
}

void arch_init(void)
{
	char *ist[NR_IST];

	for (int i = 0; i < NR_IST; i++)
		ist[i] = ist_stacks[i];
	tables_init(&boot_tables, ist);
	tables[0] = &boot_tables;
	for (int v = 0; v < NR_EXCEPTIONS; v++)
		idt_set(v, trap_stub_table[v], ist_of(v));
	idt_set(VEC_IPI_CALL, trap_stub_ipi_call, 0);
	idt_set(VEC_SPURIOUS, trap_stub_spurious, 0);
	arch_cpu_start(0, 0);
}

void arch_print_regs(const struct pt_regs *r)
{
	printk("rax %016lx rbx %016lx rcx %016lx\n", r->ax, r->bx, r->cx);
	printk("rdx %016lx rsi %016lx rdi %016lx\n", r->dx, r->si, r->di);
	printk("rbp %016lx rsp %016lx r8  %016lx\n", r->bp, r->sp, r->r8);
	printk("r9  %016lx r10 %016lx r11 %016lx\n", r->r9, r->r10, r->r11);
	printk("r12 %016lx r13 %016lx r14 %016lx\n", r->r12, r->r13, r->r14);
	printk("r15 %016lx rip %016lx rflags %08lx\n", r->r15, r->ip, r->flags);
	printk("cs %04lx ss %04lx cr0 %08lx cr2 %016lx cr3 %08lx cr4 %08lx\n",
	       r->cs, r->ss, read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

void arch_page_table_changed(void)
{
	/* Nothing caches CR3 here: the IST stacks need no task switch. */
}
