/* Return hooks on top of the shadow stack. Not compiled with -pg. */
#include "kernel/probes/rethook.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/probes/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/probes/kprobes.h"

static struct rethook *to_rethook(struct shadow_user *u)
{
	return (struct rethook *)((char *)u - __builtin_offsetof(struct rethook, user));
}

static __noprobe int rethook_entry(struct shadow_user *u, unsigned long func,
				   struct pt_regs *regs, unsigned long *data)
{
	struct rethook *rh = to_rethook(u);

	(void)func;
	counter_inc(&rh->nhit);
	return !rh->entry_handler || !rh->entry_handler(rh, regs, data);
}

static __noprobe void rethook_return(struct shadow_user *u, unsigned long func,
				     struct pt_regs *regs, unsigned long *data)
{
	struct rethook *rh = to_rethook(u);

	(void)func;
	rh->handler(rh, regs, data);
}

/* Entry through a kprobe on the first instruction (no fentry site): as the fentry site handlers. */
static __noprobe int rethook_kprobe_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct rethook *rh = kp->data;

	if (this_cpu_read(hook_active)) {
		counter_inc(&rh->user.missed);
		return 0;
	}
	this_cpu_write(hook_active, 1);
	shadow_stack_enter(rh->addr, regs, 1u << rh->user.id);
	this_cpu_write(hook_active, 0);
	return 0;
}

static int entry_kprobe_register(struct rethook *rh)
{
	unsigned long off = 1;

	if (!sym_lookup(rh->addr, &off, NULL) || off) {
		printk("rethook: %#lx is not the start of a function\n", rh->addr);
		return -EINVAL;
	}
	rh->entry_kprobe = (struct kprobe){ .addr = rh->addr, .pre_handler = rethook_kprobe_entry, .data = rh };
	return kprobe_register(&rh->entry_kprobe);
}

int rethook_register(struct rethook *rh)
{
	unsigned long addr = rh->addr;
	int err;

	if (rh->registered) {
		printk("rethook: %s is already registered\n", rh->symbol ? rh->symbol : "(addr)");
		return -EEXIST;
	}
	if (!rh->handler || rh->data_size > SHADOW_DATA_WORDS * sizeof(unsigned long))
		return -EINVAL;
	if (rh->symbol && !(addr = sym_addr(rh->symbol))) {
		printk("rethook: unknown symbol '%s'\n", rh->symbol);
		return -ENOENT;
	}
	rh->addr = addr;
	rh->user.name = rh->symbol;
	rh->user.entry = rethook_entry;
	rh->user.ret = rethook_return;
	rh->user.data_words = (rh->data_size + sizeof(unsigned long) - 1) / sizeof(unsigned long);
	rh->user.regs_const = rh->regs_const;
	rh->nhit = rh->nmissed = 0;
	err = shadow_user_register(&rh->user);
	if (err)
		return err;
	if (fentry_site_exists(addr))
		err = fentry_add_shadow_user(addr, rh->user.id);
	else
		err = entry_kprobe_register(rh);
	if (err) {
		shadow_user_unregister(&rh->user);
		return err;
	}
	rh->registered = 1;
	return 0;
}

int rethook_unregister(struct rethook *rh)
{
	if (!rh->registered)
		return -ENOENT;
	if (rh->entry_kprobe.site)
		kprobe_unregister(&rh->entry_kprobe);
	else
		fentry_remove_shadow_user(rh->addr, rh->user.id);
	rh->nmissed = rh->user.missed;
	shadow_user_unregister(&rh->user);
	rh->registered = 0;
	return 0;
}
