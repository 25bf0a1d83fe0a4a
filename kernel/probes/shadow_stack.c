/*
 * The shadow return stack and return_trampoline_handler, the C side of
 * return_trampoline (arch/<arch>/trampoline.S). Not compiled with -pg.
 */
#include "kernel/probes/shadow_stack.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/traps.h"
#include "kernel/probes/fentry.h"
#include "kernel/smp/smp.h"

/*
 * users[id] stays set after unregistering while frames still carry the id:
 * their returns need its data_words to find the other users' data. Only
 * the users in `active` get callbacks.
 */
static struct shadow_user *users[SHADOW_MAX_USERS];
static uint32_t active;
static uint32_t changes_regs;	/* users without regs_const */

/* Each CPU's own stack (there are no tasks): reached through this_cpu_ptr. */
struct shadow_cpu {
	unsigned depth;
	struct shadow_stats stats;
	struct shadow_frame stack[SHADOW_DEPTH];
};
static DEFINE_PER_CPU(struct shadow_cpu, shadow);

static int id_in_use(int id)
{
	if (active & (1u << id))
		return 1;
	for (int c = 0; c < nr_cpus; c++) {
		const struct shadow_cpu *sc = per_cpu_ptr(&shadow, c);

		for (unsigned i = 0; cpus[c].state == CPU_ONLINE && i < sc->depth; i++)
			if (sc->stack[i].users & (1u << id))
				return 1;
	}
	return 0;
}

int shadow_user_register(struct shadow_user *u)
{
	if (u->data_words > SHADOW_DATA_WORDS || !u->entry || !u->ret)
		return -EINVAL;
	for (int i = 0; i < SHADOW_MAX_USERS; i++)
		if (users[i] == u && (active & (1u << i)))
			return -EEXIST;
	for (int i = 0; i < SHADOW_MAX_USERS; i++)
		if (!users[i] || !id_in_use(i)) {
			u->id = i;
			u->entries = u->returns = u->missed = 0;
			users[i] = u;
			if (u->regs_const)
				changes_regs &= ~(1u << i);
			else
				changes_regs |= 1u << i;
			active |= 1u << i;
			return 0;
		}
	return -ENOSPC;
}

void shadow_user_unregister(struct shadow_user *u)
{
	if (u->id >= 0 && u->id < SHADOW_MAX_USERS && users[u->id] == u)
		active &= ~(1u << u->id);
	u->id = -1;
}

/* Drop frames of calls deeper than slot that can no longer return. */
static __noprobe void drop_stale(struct shadow_cpu *sc, unsigned long slot, int keep_equal)
{
	while (sc->depth) {
		struct shadow_frame *f = &sc->stack[sc->depth - 1];

		if (f->slot > slot || (f->slot == slot && keep_equal))
			break;
		sc->depth--;
		sc->stats.stale_dropped++;
	}
}

static __noprobe void count_overflow(struct shadow_cpu *sc, uint32_t want)
{
	sc->stats.overflows++;
	for (uint32_t m = want & active; m; m &= m - 1)
		counter_inc(&users[__builtin_ctz(m)]->missed);
}

/* Call the entry callbacks of the users in want; returns those that want the return. */
static __noprobe __noinline uint32_t run_entries(struct shadow_frame *f, struct pt_regs *regs,
						 uint32_t want)
{
	uint32_t got = 0;
	unsigned used = 0;

	for (uint32_t m = want; m; m &= m - 1) {
		int id = __builtin_ctz(m);
		struct shadow_user *u = users[id];

		counter_inc(&u->entries);
		if (used + u->data_words > SHADOW_DATA_WORDS) {
			counter_inc(&u->missed);
			continue;
		}
		if (u->entry(u, f->func, regs, f->data + used)) {
			got |= 1u << id;
			used += u->data_words;
		}
	}
	return got;
}

static void run_returns(struct shadow_frame *f, struct pt_regs *regs);

/*
 * The hit paths reach this CPU's depth, top frame and counters with
 * segment-relative accesses (this_cpu_read/write: no base register to
 * keep), and make a plain pointer only to the frame the users get.
 */
int shadow_users_change_regs(uint32_t mask)
{
	return (mask & changes_regs) != 0;
}

__noprobe void shadow_stack_enter(unsigned long func, struct pt_regs *regs, uint32_t want)
{
	unsigned long *slot = (unsigned long *)regs->sp;
	unsigned d = this_cpu_read(shadow.depth);
	struct shadow_frame *f;

	/* Frames at or below this slot belong to calls that will never return... */
	if (d && this_cpu_read(shadow.stack[d - 1].slot) <= (unsigned long)slot) {
		/* ... except a hijacked function's own frame when it tail-calls. */
		drop_stale(this_cpu_ptr(&shadow), (unsigned long)slot, *slot == (unsigned long)return_trampoline);
		d = this_cpu_read(shadow.depth);
	}
	if (unlikely(d == SHADOW_DEPTH)) {
		count_overflow(this_cpu_ptr(&shadow), want);
		return;
	}
	f = this_cpu_ptr(&shadow.stack[d]);
	f->ret = *slot;
	f->func = func;
	f->slot = (unsigned long)slot;
	want &= active;
	if (likely(want && !(want & (want - 1)))) {
		/* One user (the common case): no data layout to work out. */
		struct shadow_user *u = users[__builtin_ctz(want)];

		counter_inc(&u->entries);
		f->users = u->entry(u, func, regs, f->data) ? want : 0;
	} else {
		f->users = run_entries(f, regs, want);
	}
	if (!f->users)
		return;
	this_cpu_inc(shadow.depth);
	if (this_cpu_read(shadow.depth) > this_cpu_read(shadow.stats.max_depth))
		this_cpu_write(shadow.stats.max_depth, this_cpu_read(shadow.depth));
	this_cpu_inc(shadow.stats.pushed);
	*slot = (unsigned long)return_trampoline;
}

/*
 * Reached through return_trampoline: regs->sp is the caller's stack, the
 * return address was at regs->sp - one word. Find that frame, call its
 * users, and resume at the original return address.
 */
__noprobe __trampoline_handler int return_trampoline_handler(struct pt_regs *regs)
{
	unsigned long slot = regs->sp - sizeof(unsigned long);
	unsigned d = this_cpu_read(shadow.depth);
	struct shadow_frame *f;
	int outer = this_cpu_read(hook_active);

	if (unlikely(!d || this_cpu_read(shadow.stack[d - 1].slot) != slot)) {
		struct shadow_cpu *sc = this_cpu_ptr(&shadow);

		drop_stale(sc, slot, 1);
		if (!sc->depth || sc->stack[sc->depth - 1].slot != slot) {
			sc->stats.lost++;
			printk("return trampoline: no shadow frame for the return at sp %#lx\n", regs->sp);
			fault_report(regs);
		}
		d = sc->depth;
	}
	f = this_cpu_ptr(&shadow.stack[d - 1]);
	regs->ip = f->ret;
	this_cpu_inc(cpu_hits);
	this_cpu_write(hook_active, 1);
	if (likely(!(f->users & (f->users - 1)) && (f->users & active))) {
		struct shadow_user *u = users[__builtin_ctz(f->users)];

		counter_inc(&u->returns);
		u->ret(u, f->func, regs, f->data);
	} else {
		run_returns(f, regs);
	}
	this_cpu_write(hook_active, outer);
	this_cpu_dec(shadow.depth);
	this_cpu_inc(shadow.stats.popped);
	/* flags are dead across a return; with no register changed, less to restore */
	if (!(f->users & changes_regs)) {
		*(unsigned long *)slot = regs->ip;	/* return_trampoline's gap */
		return TRAMPOLINE_CLEAN_RET;
	}
	return TRAMPOLINE_FLAGS_DEAD;
}

static __noprobe __noinline void run_returns(struct shadow_frame *f, struct pt_regs *regs)
{
	unsigned used = 0;

	for (uint32_t m = f->users; m; m &= m - 1) {
		struct shadow_user *u = users[__builtin_ctz(m)];

		if (active & m & -m) {
			counter_inc(&u->returns);
			u->ret(u, f->func, regs, f->data + used);
		}
		used += u->data_words;
	}
}

unsigned long shadow_stack_original(unsigned long addr, unsigned long slot)
{
	if (!is_return_trampoline(addr))
		return addr;
	/*
	 * Innermost frame for this slot (any slot when 0: the innermost hooked
	 * call); a tail-call chain ends in the real return address.
	 */
	const struct shadow_cpu *sc = this_cpu_ptr(&shadow);

	for (unsigned i = sc->depth; i-- > 0;)
		if ((!slot || sc->stack[i].slot == slot) && sc->stack[i].ret != (unsigned long)return_trampoline)
			return sc->stack[i].ret;
	return addr;
}

int is_return_trampoline(unsigned long addr)
{
	return addr == (unsigned long)return_trampoline;
}

/* Summed over the CPUs; depth is this CPU's, max_depth the deepest any CPU went. */
void shadow_stack_get_stats(struct shadow_stats *s)
{
	*s = (struct shadow_stats){ 0 };
	for (int c = 0; c < nr_cpus; c++) {
		const struct shadow_cpu *sc = per_cpu_ptr(&shadow, c);

		if (cpus[c].state != CPU_ONLINE && c)
			continue;
		s->pushed += sc->stats.pushed;
		s->popped += sc->stats.popped;
		s->stale_dropped += sc->stats.stale_dropped;
		s->overflows += sc->stats.overflows;
		s->lost += sc->stats.lost;
		if (sc->stats.max_depth > s->max_depth)
			s->max_depth = sc->stats.max_depth;
	}
	s->depth = this_cpu_ptr(&shadow)->depth;
}

unsigned shadow_stack_depth(void)
{
	return this_cpu_ptr(&shadow)->depth;
}
