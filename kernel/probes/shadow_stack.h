/*
 * The one shadow return stack. Every user that wants to see a function
 * return (return hooks, the function-graph tracer) shares it: a hooked call
 * pushes ONE frame and hijacks the return address ONCE, whatever the number
 * of users; the return trampoline pops it and calls each user that asked.
 *
 * Frames are matched by the stack address of the return address, so calls
 * that never return normally (non-local exits) leave stale frames that the
 * next entry or return drops; a tail call from a hijacked function stacks a
 * second frame on the same slot. A full stack hijacks nothing and counts a
 * miss. Per CPU now (one CPU), per task later.
 */
#ifndef KERNEL_SHADOW_STACK_H
#define KERNEL_SHADOW_STACK_H
#include <stdint.h>
#include "kernel/arch.h"

#define SHADOW_MAX_USERS	32
#define SHADOW_DEPTH		2048	/* frames */
#define SHADOW_DATA_WORDS	8	/* per frame, shared by the frame's users */

struct shadow_user {
	const char *name;
	/*
	 * At entry of func (regs as at its first instruction, regs->sp at the
	 * return address). Return nonzero to get the return callback; data
	 * holds data_words words private to this user for this call.
	 */
	int (*entry)(struct shadow_user *u, unsigned long func, struct pt_regs *regs,
		     unsigned long *data);
	/*
	 * At return of func: regs->ax holds the return value, regs->ip the
	 * true return address, regs->sp the caller's stack.
	 */
	void (*ret)(struct shadow_user *u, unsigned long func, struct pt_regs *regs,
		    unsigned long *data);
	unsigned data_words;
	int regs_const;			/* entry and ret change no register in regs */
	/* owned by shadow_stack.c */
	int id;				/* bit in the users bitmaps, -1 if not registered */
	unsigned long entries, returns;
	unsigned long missed;		/* stack full or no data room: no return callback */
};

struct shadow_frame {
	unsigned long ret;		/* the original return address */
	unsigned long func;		/* the function entered */
	unsigned long slot;		/* stack address holding the return address */
	uint32_t users;			/* users that want the return */
	unsigned long data[SHADOW_DATA_WORDS];
};

int shadow_user_register(struct shadow_user *u);
void shadow_user_unregister(struct shadow_user *u);

/* At function entry (fentry or an entry kprobe): run users, maybe hijack. */
void shadow_stack_enter(unsigned long func, struct pt_regs *regs, uint32_t users);
/* Nonzero if some user in the bitmap may change registers (no regs_const). */
int shadow_users_change_regs(uint32_t users);

/*
 * The original return address for a return-trampoline address found at
 * stack address slot (for unwinders), or, with slot 0, for the innermost
 * hooked call; the address itself otherwise.
 */
unsigned long shadow_stack_original(unsigned long addr, unsigned long slot);

struct shadow_stats {
	unsigned depth, max_depth;
	unsigned long pushed, popped;
	unsigned long stale_dropped;	/* frames of calls that never returned */
	unsigned long overflows;	/* entries refused: stack full */
	unsigned long lost;		/* returns with no frame (should be 0) */
};
void shadow_stack_get_stats(struct shadow_stats *s);
unsigned shadow_stack_depth(void);

void return_trampoline(void);
int is_return_trampoline(unsigned long addr);

#endif
