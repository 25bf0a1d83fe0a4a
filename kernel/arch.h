/*
 * The one header through which kernel/ talks to arch/<arch>/: what each
 * architecture provides. Data layouts (struct pt_regs) come from arch_defs.h.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H
#include <stdint.h>
#include "arch_defs.h"

struct fb_info;

/*
 * A handler entered through call_to_exception_trampoline (arch/<arch>/
 * trampoline.S): `push $desc; jmp call_to_exception_trampoline` right
 * after a CALL. It gets the full pt_regs, must set regs->ip to where
 * execution goes on, and returns whether the flags in regs must be
 * restored: TRAMPOLINE_RESTORE_FLAGS in the middle of a function (an
 * optimized probe), TRAMPOLINE_FLAGS_DEAD at a call boundary (function
 * entry or return), where the ABI leaves flags undefined and DF clear - the
 * trampoline then skips popf, which is slow on real CPUs.
 */
enum { TRAMPOLINE_FLAGS_DEAD = 0, TRAMPOLINE_RESTORE_FLAGS = 1, TRAMPOLINE_CLEAN_RET = 2 };
/*
 * TRAMPOLINE_CLEAN_RET (at a call boundary only): no register in regs was
 * changed, regs->sp neither, and the word just below regs->sp already
 * holds regs->ip; the trampoline then restores only what C clobbers.
 */
/*
 * The stub pushes a descriptor whose first word is the handler; the
 * handler gets (regs, desc). On i386 both come in registers (regparm(2)),
 * which every handler must be declared with: __trampoline_handler.
 */
#if ARCH_BITS == 32
#define __trampoline_handler __attribute__((regparm(2)))
#else
#define __trampoline_handler
#endif
int __trampoline_handler return_trampoline_handler(struct pt_regs *regs);	/* kernel/probes/shadow_stack.c */

/* Descriptor tables, exception vectors: called once from kmain (CPU 0). */
void arch_init(void);
/*
 * Another CPU (kernel/smp/smpboot.c): on CPU 0, allocate CPU cpu's GDT, TSS
 * and exception stacks (0 or -ENOMEM); on that CPU, load them, the shared
 * IDT, and its per-CPU segment base (kernel/smp/percpu.h).
 */
int arch_cpu_prepare(int cpu);
void arch_cpu_start(int cpu, unsigned long percpu_off);

/* The screen console for whatever the boot loader handed over. */
void screen_console_init(const struct fb_info *fb);

/*
 * Page tables (arch/<arch>/paging.c); what to map is kernel/mm/paging.c's call.
 * Mappings are identity (va == pa) except text_poke's alias pages.
 */
#define PG_WRITE	1	/* every mapping is readable */
#define PG_EXEC		2	/* without NX every mapping is executable */
#define PG_UNCACHED	4	/* MMIO */
#define PG_LARGE	8	/* large pages allowed where aligned */

/* Pick the format, allocate the top level; its name ("PAE+NX"...), NULL without memory. */
const char *arch_paging_init(void);
int arch_paging_has_nx(void);
/* End of the physical range this arch can identity-map (i386: 3 GiB). */
uint64_t arch_ram_limit(void);
/* Map [va, va + size) to pa with PG_* attr, replacing what was there. 0 or -errno. */
int arch_map(uintptr_t va, uint64_t pa, uint64_t size, unsigned attr);
/* Unmap the 4 KiB page at va (splitting a large page). 0 or -errno. */
int arch_unmap_page(uintptr_t va);
/* PG_* attributes of the page mapping va, -1 when unmapped. */
int arch_page_attr(uintptr_t va);
/* Load the new tables; CR0.WP on. */
void arch_paging_enable(void);
/* Two virtual pages reserved for text_poke's writable alias. */
extern const uintptr_t arch_poke_alias;

/*
 * Exceptions (arch/<arch>/cpu.c, entry.S). i386 takes #DF through a task
 * switch that loads CR3 from its own TSS: whoever loads a new CR3 calls
 * arch_page_table_changed() (a no-op on x86_64).
 */
void arch_page_table_changed(void);
/* The register lines of a fault report. */
void arch_print_regs(const struct pt_regs *regs);

/* setjmp.S: 0 when saving, val (never 0) when arch_longjmp comes back. */
int arch_setjmp(struct arch_jmp_buf *jb) __attribute__((returns_twice));
void arch_longjmp(struct arch_jmp_buf *jb, int val) __attribute__((noreturn));

/* boot.S: the boot stack is [boot_stack_top - BOOT_STACK_SIZE, boot_stack_top). */
extern char boot_stack_top[];

/*
 * kprobes_arch.c: pt_regs offset of general register n in encoding order
 * (ax cx dx bx sp bp si di, then r8-r15 on x86_64; i386 uses 0-7).
 */
extern const uint8_t arch_gpr_offset[16];

#endif
