/*
 * i386 descriptor tables. Per CPU: a flat GDT (code 0x08, data 0x10), the
 * main TSS (0x18: the CPU saves the faulting state there on a #DF task
 * switch), a double-fault TSS (0x20) with its own stack and guard page, and
 * the per-CPU segment 0x28 held in %fs (kernel/smp/percpu.h). One IDT for
 * all, pointing at the stubs in entry.S, with a task gate for #DF.
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
#define DF_TSS_SEL	0x20
#define PERCPU_SEL	0x28	/* base: this CPU's per-CPU offset */
#define DF_STACK_SIZE	(16 * 1024)
#define GDT_TSS_BUSY	(2ull << 40)	/* type 9 (available) -> 11 (busy) */
#define EFLAGS_NT	(1u << 14)

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
};

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;		/* 0x8e: interrupt gate; 0x85: task gate */
	uint16_t off_hi;
};

struct table_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* entry.S */
extern void *const trap_stub_table[NR_EXCEPTIONS];
void trap_stub_ipi_call(void);
void trap_stub_spurious(void);
void df_task_entry(void);
void df_task_main(void);

/* What each CPU has of its own: GDT, main TSS, #DF task (TSS and stack). */
struct cpu_tables {
	uint64_t gdt[6];
	struct tss tss, df_tss;
	char *df_stack;			/* a guard page, then DF_STACK_SIZE */
};

static const uint64_t gdt_template[6] = {
	0,
	0x00cf9a000000ffffull,		/* 0x08: code, flat 4 GiB */
	0x00cf92000000ffffull,		/* 0x10: data, flat 4 GiB */
	0,				/* 0x18: main TSS */
	0,				/* 0x20: double-fault TSS */
	0x00cf92000000ffffull,		/* 0x28: per-CPU data, base = the CPU's offset */
};
static struct cpu_tables boot_tables;
static struct cpu_tables *tables[NR_CPUS];
static DEFINE_PER_CPU(struct cpu_tables *, my_tables);	/* for the #DF task */
static struct idt_gate idt[256] __aligned(8);		/* one for every CPU */

/* CPU 0's #DF stack: a guard page, then the stack. */
static char df_stack[PAGE_SIZE + DF_STACK_SIZE] __aligned(PAGE_SIZE);

static uint64_t tss_descriptor(struct tss *t)
{
	uint64_t base = (uint32_t)t, limit = sizeof(*t) - 1;

	/* 32-bit available TSS (type 9), present */
	return (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	       ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
}

static void idt_set(int vec, void *handler)
{
	uint32_t a = (uint32_t)handler;

	idt[vec] = (struct idt_gate){ a & 0xffff, KERNEL_CS, 0, 0x8e, a >> 16 };
}

static void tables_init(struct cpu_tables *t, char *stack)
{
	for (int i = 0; i < 6; i++)
		t->gdt[i] = gdt_template[i];
	t->df_stack = stack;
	t->tss.iomap_base = sizeof(t->tss);
	t->df_tss = (struct tss){
		.cr3 = read_cr3(), .eip = (uint32_t)df_task_entry, .eflags = 0x2,
		.esp = (uint32_t)stack + PAGE_SIZE + DF_STACK_SIZE,
		.cs = KERNEL_CS, .ss = KERNEL_DS, .ds = KERNEL_DS, .es = KERNEL_DS,
		.fs = PERCPU_SEL, .gs = KERNEL_DS, .iomap_base = sizeof(t->tss),
	};
	t->gdt[TSS_SEL / 8] = tss_descriptor(&t->tss);
	t->gdt[DF_TSS_SEL / 8] = tss_descriptor(&t->df_tss);
	mm_guard_page(stack);
	unwind_register_stack((unsigned long)stack + PAGE_SIZE, (unsigned long)stack + PAGE_SIZE + DF_STACK_SIZE);
}

int arch_cpu_prepare(int cpu)
{
	struct cpu_tables *t = kzalloc(sizeof(*t));
	char *stack = pmm_alloc_pages((PAGE_SIZE + DF_STACK_SIZE) / PAGE_SIZE);

	if (!t || !stack)
		return -ENOMEM;		/* (leaks what it got: boot time, out of memory) */
	tables_init(t, stack);
	tables[cpu] = t;
	return 0;
}

/* On the CPU itself: its GDT (per-CPU segment based at percpu_off), every segment register, TR, LDTR, the IDT. */
void __noprobe arch_cpu_start(int cpu, unsigned long percpu_off)
{
	struct cpu_tables *t = tables[cpu];
	struct table_ptr gp = { sizeof(t->gdt) - 1, (uint32_t)t->gdt };
	struct table_ptr ip = { sizeof(idt) - 1, (uint32_t)idt };
	uint32_t b = percpu_off;

	t->gdt[PERCPU_SEL / 8] = gdt_template[PERCPU_SEL / 8] | ((uint64_t)(b & 0xffffff) << 16) |
				 ((uint64_t)(b >> 24) << 56);
	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\tmovl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%gs\n\t"
		     "movl %%eax, %%ss\n\t"
		     "movl %5, %%eax\n\t"
		     "movl %%eax, %%fs\n\t"
		     "ltr %w3\n\t"
		     "lldt %w4"		/* no LDT: whatever the firmware left is not ours */
		     : : "m"(gp), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"(TSS_SEL), "r"(0), "i"(PERCPU_SEL)
		     : "eax", "memory");
	asm volatile("lidt %0" : : "m"(ip) : "memory");
	this_cpu_write(my_tables, t);
}

void arch_init(void)
{
	tables_init(&boot_tables, df_stack);
	tables[0] = &boot_tables;
	for (int v = 0; v < NR_EXCEPTIONS; v++)
		idt_set(v, trap_stub_table[v]);
	idt_set(VEC_IPI_CALL, trap_stub_ipi_call);
	idt_set(VEC_SPURIOUS, trap_stub_spurious);
	/* #DF: task gate to the double-fault TSS */
	idt[VEC_DF] = (struct idt_gate){ 0, DF_TSS_SEL, 0, 0x85, 0 };
	arch_cpu_start(0, 0);
}

/* The #DF task switch loads CR3 from df_tss: keep it current. */
void arch_page_table_changed(void)
{
	for (int i = 0; i < NR_CPUS; i++)
		if (tables[i])
			tables[i]->df_tss.cr3 = read_cr3();
}

/*
 * Leave the double-fault task for good: clear both busy bits, point TR back
 * at the main TSS and clear NT. We keep running on the #DF stack until
 * fault_catch's longjmp (or the halt after the report); df_tss still holds
 * the initial eip/esp, since the CPU only writes a TSS when leaving its task.
 */
static void df_task_leave(struct cpu_tables *t)
{
	t->gdt[TSS_SEL / 8] &= ~GDT_TSS_BUSY;
	t->gdt[DF_TSS_SEL / 8] &= ~GDT_TSS_BUSY;
	asm volatile("ltr %w0" : : "r"(TSS_SEL), "r"(0) : "memory");
	asm volatile("pushfl; andl %0, (%%esp); popfl" : : "i"(~EFLAGS_NT) : "memory", "cc");
}

/* The #DF task body (entry.S df_task_entry): the faulting state is in this CPU's tss. */
void __noprobe df_task_main(void)
{
	struct cpu_tables *t = this_cpu_read(my_tables);
	struct tss *tss = &t->tss;
	struct pt_regs regs = {
		.bx = tss->ebx, .cx = tss->ecx, .dx = tss->edx, .si = tss->esi, .di = tss->edi,
		.bp = tss->ebp, .ax = tss->eax, .ds = tss->ds, .es = tss->es, .fs = tss->fs,
		.gs = tss->gs, .vector = VEC_DF, .error_code = 0, .ip = tss->eip,
		.cs = tss->cs, .flags = tss->eflags, .sp = tss->esp, .ss = tss->ss,
	};

	df_task_leave(t);
	trap_dispatch(&regs);
	/* A #DF cannot be resumed: nothing should claim it. */
	fault_report(&regs);
}

void arch_print_regs(const struct pt_regs *r)
{
	printk("eax %08lx ebx %08lx ecx %08lx edx %08lx\n", r->ax, r->bx, r->cx, r->dx);
	printk("esi %08lx edi %08lx ebp %08lx esp %08lx\n", r->si, r->di, r->bp, r->sp);
	printk("eip %08lx eflags %08lx cs %04lx ss %04lx ds %04lx es %04lx fs %04lx gs %04lx\n",
	       r->ip, r->flags, r->cs, r->ss, r->ds, r->es, r->fs, r->gs);
	printk("cr0 %08lx cr2 %08lx cr3 %08lx cr4 %08lx\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
}
