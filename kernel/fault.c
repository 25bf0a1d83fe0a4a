/*
 * Faults nobody claimed: either the innermost fault_catch() takes them (a
 * longjmp back into fault_catch) or they are reported and the kernel stops.
 */
#include "kernel/traps.h"
#include "kernel/cmdline.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/kallsyms.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/kprobes.h"
#include "kernel/dev/power.h"
#include "kernel/smp/smp.h"
#include "kernel/unwind.h"


struct fault_catcher {
	struct arch_jmp_buf jb;
	struct fault_record *rec;
	struct fault_catcher *prev;
	struct kprobe *kprobe;		/* whose handler was running at fault_catch */
};

static DEFINE_PER_CPU(struct fault_catcher *, catcher);	/* innermost active fault_catch, per CPU */
static int report_depth;		/* > 1: faulted while reporting */
static unsigned long first_vector, first_ip;	/* what was being reported */

static __noprobe __noreturn void fault_stop(void)
{
	if (kopt.qemu_exit)
		qemu_exit(1);
	halt_forever();
}

static __noprobe void print_error_code(unsigned long vec, unsigned long err, unsigned long cr2)
{
	switch (vec) {
	case VEC_PF:
		printk("error %#lx [%s %s %s%s%s] cr2 %#lx\n", err,
		       err & 1 ? "protection" : "not-present", err & 2 ? "write" : "read",
		       err & 4 ? "user" : "kernel", err & 8 ? " reserved-bit" : "",
		       err & 16 ? " ifetch" : "", cr2);
		break;
	case VEC_TS: case VEC_NP: case VEC_SS: case VEC_GP:
		/* a selector error code: index, table, external event */
		if (err & 2)
			printk("error %#lx [IDT vector %lu%s]\n", err, (err & 0xffff) >> 3,
			       err & 1 ? ", external" : "");
		else if (err)
			printk("error %#lx [selector %#lx in %s%s]\n", err, err & 0xfffc,
			       err & 4 ? "LDT" : "GDT", err & 1 ? ", external" : "");
		else
			printk("error 0\n");
		break;
	default:
		printk("error %#lx\n", err);
	}
}

void __noprobe fault_report(struct pt_regs *regs)
{
	unsigned long cr2 = read_cr2(), v = regs->vector;
	char where[128];

	if (++report_depth > 1) {
		/* Serial first, screen second: if the screen is what faults, we still said it. */
		if (report_depth == 2)
			for (unsigned con = CON_SERIAL; con <= CON_SCREEN; con <<= 1)
				printk_on(con, "\n*** nested fault: vector %lu at ip %#lx while reporting "
					  "vector %lu at ip %#lx; stopping\n", v, regs->ip, first_vector, first_ip);
		fault_stop();
	}
	first_vector = v;
	first_ip = regs->ip;
	sym_format(where, sizeof(where), regs->ip);
	printk("\n*** FAULT on CPU %d: %s (vector %lu) at %s\n", smp_processor_id(), trap_name(v), v, where);
	print_error_code(v, regs->error_code, cr2);
	if (v == VEC_BP)
		printk("unclaimed int3 at %#lx (ip is the byte after it)\n", regs->ip - 1);
	arch_print_regs(regs);
	printk("backtrace:\n");
	unwind_print(regs->ip, regs->bp);
	smp_report_others();
	printk("*** %s\n", kopt.qemu_exit ? "exiting QEMU with failure" : "halted");
	fault_stop();
}

int __noprobe fault_catch(void (*fn)(void *), void *arg, struct fault_record *rec)
{
	struct fault_catcher c = { .rec = rec, .prev = this_cpu_read(catcher), .kprobe = kprobe_running() };
	unsigned long flags = read_flags();
	int hooks = this_cpu_read(hook_active);

	if (arch_setjmp(&c.jb)) {
		kprobe_set_running(c.kprobe);	/* a handler that caught its own fault goes on */
		this_cpu_write(hook_active, hooks);	/* a hook we jumped out of is over */
		/* fault_catch_take already unlinked c; the trap left IF clear */
		irq_restore(flags);
		return 1;
	}
	this_cpu_write(catcher, &c);
	fn(arg);
	this_cpu_write(catcher, c.prev);
	return 0;
}

void __noprobe fault_catch_take(struct pt_regs *regs)
{
	struct fault_catcher *c = this_cpu_read(catcher);

	kprobe_fault(regs, c ? c->kprobe : NULL);	/* a slot's ip as the probed one, name the probe */

	if (!c)
		return;
	this_cpu_write(catcher, c->prev);
	if (c->rec) {
		c->rec->vector = regs->vector;
		c->rec->error_code = regs->error_code;
		c->rec->cr2 = regs->vector == VEC_PF ? read_cr2() : 0;
		c->rec->ip = regs->ip;
	}
	arch_longjmp(&c->jb, 1);
}
