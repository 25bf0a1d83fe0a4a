/*
 * trap_dispatch: every exception the arch entry code takes ends up here.
 * #BP and #DB go to the registered hooks first (the kprobe hot path: keep it
 * short); what no hook claims goes to the innermost fault_catch, else it is
 * a fault report.
 */
#include "kernel/traps.h"
#include "kernel/dev/console.h"
#include "kernel/mm/text_poke.h"
#include "kernel/smp/smp.h"

static struct trap_hook *trap_hooks[NR_EXCEPTIONS];

static const char *const trap_names[NR_EXCEPTIONS] = {
	[VEC_DE] = "#DE divide error",
	[VEC_DB] = "#DB debug",
	[VEC_NMI] = "NMI",
	[VEC_BP] = "#BP breakpoint",
	[VEC_OF] = "#OF overflow",
	[VEC_BR] = "#BR bound range exceeded",
	[VEC_UD] = "#UD invalid opcode",
	[VEC_NM] = "#NM device not available",
	[VEC_DF] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[VEC_TS] = "#TS invalid TSS",
	[VEC_NP] = "#NP segment not present",
	[VEC_SS] = "#SS stack-segment fault",
	[VEC_GP] = "#GP general protection",
	[VEC_PF] = "#PF page fault",
	[VEC_MF] = "#MF x87 floating-point error",
	[VEC_AC] = "#AC alignment check",
	[VEC_MC] = "#MC machine check",
	[VEC_XM] = "#XM SIMD floating-point",
	[VEC_VE] = "#VE virtualization",
	[VEC_CP] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security",
};

__noprobe const char *trap_name(unsigned long vector)
{
	if (vector == PT_VECTOR_CALL)
		return "trampoline call";
	if (vector < NR_EXCEPTIONS && trap_names[vector])
		return trap_names[vector];
	return "reserved";
}

static int hook_vector_ok(int vector, struct trap_hook *hook, const char *what)
{
	if ((vector != VEC_BP && vector != VEC_DB) || !hook || !hook->handler) {
		printk("traps: %s: bad hook %p on vector %d (only #BP and #DB take hooks)\n",
		       what, (void *)hook, vector);
		return 0;
	}
	return 1;
}

int trap_hook_register(int vector, struct trap_hook *hook)
{
	struct trap_hook **p;

	if (!hook_vector_ok(vector, hook, "register"))
		return -1;
	for (p = &trap_hooks[vector]; *p; p = &(*p)->next) {
		if (*p == hook) {
			printk("traps: hook %p is already registered on vector %d\n", (void *)hook, vector);
			return -1;
		}
	}
	/* Complete the hook before it becomes reachable: a trap may walk the list now. */
	hook->next = NULL;
	barrier();
	*p = hook;
	return 0;
}

int trap_hook_unregister(int vector, struct trap_hook *hook)
{
	if (!hook_vector_ok(vector, hook, "unregister"))
		return -1;
	for (struct trap_hook **p = &trap_hooks[vector]; *p; p = &(*p)->next) {
		if (*p == hook) {
			*p = hook->next;
			return 0;
		}
	}
	printk("traps: hook %p is not registered on vector %d\n", (void *)hook, vector);
	return -1;
}

static __noprobe int run_hooks(unsigned long v, struct pt_regs *regs)
{
	for (struct trap_hook *h = trap_hooks[v]; h; h = h->next)
		if (h->handler(regs))
			return 1;
	return 0;
}

/*
 * What no hook claimed. An int3 that is no longer there: another CPU
 * removed it (a probe gone, a text_poke_bp finished) after this CPU hit
 * it; run the instruction that is there now. If it is there, ask the hooks
 * once more: it may be a new one, placed (with its owner's state, which is
 * written first) after they looked. Vectors >= 32 are interrupts.
 */
static __noprobe __noinline void unclaimed(struct pt_regs *regs)
{
	unsigned long v = regs->vector;

	if (v == VEC_BP) {
		if (*(const volatile unsigned char *)(regs->ip - 1) != 0xcc) {
			regs->ip--;
			text_poke_refresh((void *)regs->ip);	/* an emulator's stale copy of it too */
			return;
		}
		if (run_hooks(v, regs))
			return;
	}
	if (v >= NR_EXCEPTIONS) {
		smp_interrupt(regs);
		return;
	}
	if (v == VEC_NMI && smp_nmi(regs))
		return;
	fault_catch_take(regs);
	fault_report(regs);
}

void __noprobe trap_dispatch(struct pt_regs *regs)
{
	unsigned long v = regs->vector;

	if (v == VEC_BP || v == VEC_DB)
		for (struct trap_hook *h = trap_hooks[v]; h; h = h->next)
			if (h->handler(regs))
				return;
	unclaimed(regs);
}

void __noprobe int3_emulate_push(struct pt_regs *regs, unsigned long value)
{
	regs->sp -= sizeof(unsigned long);
	*(unsigned long *)regs->sp = value;
}

void __noprobe int3_emulate_jmp(struct pt_regs *regs, unsigned long target)
{
	regs->ip = target;
}

void __noprobe int3_emulate_call(struct pt_regs *regs, unsigned long target, unsigned long return_to)
{
	int3_emulate_push(regs, return_to);
	int3_emulate_jmp(regs, target);
}
