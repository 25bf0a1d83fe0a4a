/* Return hooks on top of the shadow stack. Not compiled with -pg. */
#include "kernel/rethook.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/fentry.h"
#include "kernel/kallsyms.h"

static struct rethook *to_rethook(struct shadow_user *u)
{
	return (struct rethook *)((char *)u - __builtin_offsetof(struct rethook, user));
}

static __noprobe int rethook_entry(struct shadow_user *u, unsigned long func,
				   struct pt_regs *regs, unsigned long *data)
{
	struct rethook *rh = to_rethook(u);

	(void)func;
	rh->nhit++;
	return !rh->entry_handler || !rh->entry_handler(rh, regs, data);
}

static __noprobe void rethook_return(struct shadow_user *u, unsigned long func,
				     struct pt_regs *regs, unsigned long *data)
{
	struct rethook *rh = to_rethook(u);

	(void)func;
	rh->handler(rh, regs, data);
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
	if (!fentry_site_exists(addr)) {
		printk("rethook: %s has no fentry site\n", rh->symbol ? rh->symbol : "address");
		return -ENOENT;
	}
	rh->addr = addr;
	rh->user.name = rh->symbol;
	rh->user.entry = rethook_entry;
	rh->user.ret = rethook_return;
	rh->user.data_words = (rh->data_size + sizeof(unsigned long) - 1) / sizeof(unsigned long);
	rh->nhit = rh->nmissed = 0;
	err = shadow_user_register(&rh->user);
	if (err)
		return err;
	err = fentry_add_shadow_user(addr, rh->user.id);
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
	fentry_remove_shadow_user(rh->addr, rh->user.id);
	rh->nmissed = rh->user.missed;
	shadow_user_unregister(&rh->user);
	rh->registered = 0;
	return 0;
}
