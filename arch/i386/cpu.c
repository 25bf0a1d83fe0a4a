/*
 * i386 descriptor tables: our own flat GDT (code 0x08, data 0x10), the main
 * TSS (0x18: the CPU saves the faulting state there on a #DF task switch),
 * a double-fault TSS (0x20) with its own stack and guard page, and an IDT
 * pointing at the stubs in entry.S, with a task gate for #DF.
 */
#include <stdint.h>
#include "kernel/arch.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/mm/mm.h"
#include "kernel/traps.h"
#include "kernel/unwind.h"

#define TSS_SEL		0x18
#define DF_TSS_SEL	0x20
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
void df_task_entry(void);
void df_task_main(void);

static uint64_t gdt[5] __aligned(8) = {
	0,
	0x00cf9a000000ffffull,		/* 0x08: code, flat 4 GiB */
	0x00cf92000000ffffull,		/* 0x10: data, flat 4 GiB */
	0,				/* 0x18: main TSS */
	0,				/* 0x20: double-fault TSS */
};
static struct tss tss, df_tss;
static struct idt_gate idt[256] __aligned(8);

/* The #DF task's stack: a guard page, then the stack. */
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

void arch_init(void)
{
	struct table_ptr gp = { sizeof(gdt) - 1, (uint32_t)gdt };
	struct table_ptr ip = { sizeof(idt) - 1, (uint32_t)idt };

	tss.iomap_base = sizeof(tss);
	df_tss = (struct tss){
		.cr3 = read_cr3(), .eip = (uint32_t)df_task_entry, .eflags = 0x2,
		.esp = (uint32_t)df_stack + sizeof(df_stack),
		.cs = KERNEL_CS, .ss = KERNEL_DS, .ds = KERNEL_DS, .es = KERNEL_DS,
		.fs = KERNEL_DS, .gs = KERNEL_DS, .iomap_base = sizeof(tss),
	};
	gdt[TSS_SEL / 8] = tss_descriptor(&tss);
	gdt[DF_TSS_SEL / 8] = tss_descriptor(&df_tss);
	mm_guard_page(df_stack);
	unwind_register_stack((unsigned long)df_stack + PAGE_SIZE, (unsigned long)df_stack + sizeof(df_stack));

	/* Load the GDT, reload every segment register (cs by a far jump), TR and LDTR. */
	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\tmovl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%fs\n\t"
		     "movl %%eax, %%gs\n\t"
		     "movl %%eax, %%ss\n\t"
		     "ltr %w3\n\t"
		     "lldt %w4"		/* no LDT: whatever the firmware left is not ours */
		     : : "m"(gp), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"(TSS_SEL), "r"(0) : "eax", "memory");

	for (int v = 0; v < NR_EXCEPTIONS; v++)
		idt_set(v, trap_stub_table[v]);
	/* #DF: task gate to the double-fault TSS */
	idt[VEC_DF] = (struct idt_gate){ 0, DF_TSS_SEL, 0, 0x85, 0 };
	asm volatile("lidt %0" : : "m"(ip) : "memory");
}

/* The #DF task switch loads CR3 from df_tss: keep it current. */
void arch_page_table_changed(void)
{
	df_tss.cr3 = read_cr3();
}

/*
 * Leave the double-fault task for good: clear both busy bits, point TR back
 * at the main TSS and clear NT. We keep running on the #DF stack until
 * fault_catch's longjmp (or the halt after the report); df_tss still holds
 * the initial eip/esp, since the CPU only writes a TSS when leaving its task.
 */
static void df_task_leave(void)
{
	gdt[TSS_SEL / 8] &= ~GDT_TSS_BUSY;
	gdt[DF_TSS_SEL / 8] &= ~GDT_TSS_BUSY;
	asm volatile("ltr %w0" : : "r"(TSS_SEL), "r"(0) : "memory");
	asm volatile("pushfl; andl %0, (%%esp); popfl" : : "i"(~EFLAGS_NT) : "memory", "cc");
}

/* The #DF task body (entry.S df_task_entry): the faulting state is in tss. */
void __noprobe df_task_main(void)
{
	struct pt_regs regs = {
		.bx = tss.ebx, .cx = tss.ecx, .dx = tss.edx, .si = tss.esi, .di = tss.edi,
		.bp = tss.ebp, .ax = tss.eax, .ds = tss.ds, .es = tss.es, .fs = tss.fs,
		.gs = tss.gs, .vector = VEC_DF, .error_code = 0, .ip = tss.eip,
		.cs = tss.cs, .flags = tss.eflags, .sp = tss.esp, .ss = tss.ss,
	};

	df_task_leave();
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
