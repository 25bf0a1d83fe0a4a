/*
 * Self-tests of the exception path: deliberate faults caught by fault_catch,
 * #BP/#DB hooks that read and change pt_regs (arch/<arch>/test_traps.S holds
 * the hand-placed int3s), int3 emulation, and unwinding through a trap.
 */
#include <stddef.h>
#include "kernel/traps.h"
#include "kernel/cpu.h"
#include "kernel/kallsyms.h"
#include "kernel/ktest.h"
#include "kernel/unwind.h"
#include "lib/string.h"

#define WORD		sizeof(unsigned long)
#define CR0_PG		(1ul << 31)
#define TEST_MAGIC	0x5eed0000ul	/* as in test_traps.S */
#define TEST_DX_FLIP	0xfffful
#define PUSH_VALUE	0x12345678ul

/* arch/<arch>/test_traps.S */
unsigned long test_int3_regs(void);
unsigned long test_emulate_call(void);
unsigned long test_emulate_push(void);
void test_emulate_pop(void);
void test_single_step(void);
void test_gp(void *unused);
void test_double_fault(void *stack_top);
extern char test_int3_regs_after[], test_emu_call_ret[], test_emu_target[];
extern char test_push_after[], test_pop_after[], test_single_step_after[];
extern unsigned long test_int3_sp, test_int3_bp, test_int3_sp_after, test_int3_bad;
extern unsigned long test_emu_sp_before, test_emu_sp_after, test_emu_seen_ret, test_emu_seen_sp;
extern unsigned long test_push_sp_before, test_push_sp_after, test_pop_sp_before, test_pop_sp_after;
extern char boot_stack_guard[];

/* ---- deliberate faults ---- */

static __noinline void do_ud(void *unused)
{
	(void)unused;
	asm volatile("ud2");
}

static __noinline void do_div0(void *unused)
{
	volatile unsigned a = 1, b = 0;

	(void)unused;
	a = a / b;
}

static __noinline void do_int3(void *unused)
{
	(void)unused;
	asm volatile("int3");
}

static __noinline void do_read(void *addr)
{
	(void)*(volatile unsigned long *)addr;
}

static __noinline void do_write(void *addr)
{
	*(volatile unsigned long *)addr = 1;
}

/* Name of the function holding ip, "" if none. */
static const char *func_of(unsigned long ip)
{
	const char *name = sym_lookup(ip, NULL, NULL);

	return name ? name : "";
}

static void test_ud(struct ktest *t)
{
	struct fault_record rec;

	KEXPECT_EQ(t, fault_catch(do_ud, NULL, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_UD);
	KEXPECT(t, !strcmp(func_of(rec.ip), "do_ud"));
}

static void test_de(struct ktest *t)
{
	struct fault_record rec;

	KEXPECT_EQ(t, fault_catch(do_div0, NULL, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_DE);
	KEXPECT(t, !strcmp(func_of(rec.ip), "do_div0"));
}

static void test_gp_fault(struct ktest *t)
{
	struct fault_record rec;

	KEXPECT_EQ(t, fault_catch(test_gp, NULL, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_GP);
	/* i386 loads selector 0x1234 (an LDT one); x86_64 a non-canonical address */
	KEXPECT_EQ(t, rec.error_code, ARCH_BITS == 32 ? 0x1234 : 0);
	KEXPECT(t, !strcmp(func_of(rec.ip), "test_gp"));
}

/*
 * An address that is certainly not mapped, or 0. x86_64's boot tables map
 * only the first 4 GiB; otherwise the boot stack's guard page, once paging
 * has unmapped it.
 */
static unsigned long unmapped_address(const char **why)
{
#if ARCH_BITS == 64
	(void)why;
	return 0x40000000000ul;
#else
	struct fault_record rec;

	if (!(read_cr0() & CR0_PG)) {
		*why = "paging is off";
		return 0;
	}
	if (!fault_catch(do_read, boot_stack_guard, &rec)) {
		*why = "the boot stack guard page is still mapped";
		return 0;
	}
	return (unsigned long)boot_stack_guard;
#endif
}

static void test_pf(struct ktest *t)
{
	struct fault_record rec;
	const char *why = NULL;
	unsigned long addr = unmapped_address(&why);

	if (!addr) {
		ktest_skip(t, why);
		return;
	}
	KEXPECT_EQ(t, fault_catch(do_read, (void *)addr, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_PF);
	KEXPECT_EQ(t, rec.cr2, addr);
	KEXPECT_EQ(t, rec.error_code & 7, 0);		/* not present, read, kernel */
	KEXPECT(t, !strcmp(func_of(rec.ip), "do_read"));

	KEXPECT_EQ(t, fault_catch(do_write, (void *)(addr + 8), &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_PF);
	KEXPECT_EQ(t, rec.cr2, addr + 8);
	KEXPECT_EQ(t, rec.error_code & 7, 2);		/* not present, write, kernel */
}

static void test_int3_unclaimed(struct ktest *t)
{
	struct fault_record rec;

	KEXPECT_EQ(t, fault_catch(do_int3, NULL, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_BP);
	KEXPECT(t, !strcmp(func_of(rec.ip - 1), "do_int3"));
	KEXPECT_EQ(t, *(unsigned char *)(rec.ip - 1), 0xcc);	/* ip is after the int3 */
}

static void test_double_fault_caught(struct ktest *t)
{
	struct fault_record rec;
	const char *why = NULL;
	unsigned long addr = unmapped_address(&why);

	if (!addr) {
		ktest_skip(t, why);
		return;
	}
	KEXPECT_EQ(t, fault_catch(test_double_fault, (void *)(addr + PAGE_SIZE), &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_DF);
	KEXPECT(t, !strcmp(func_of(rec.ip), "test_double_fault"));
	/* and the machinery still works afterwards */
	KEXPECT_EQ(t, fault_catch(do_ud, NULL, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_UD);
	KEXPECT_EQ(t, fault_catch(test_double_fault, (void *)(addr + PAGE_SIZE), &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_DF);
}

static void catch_inner(void *arg)
{
	struct fault_record rec;

	*(int *)arg = fault_catch(do_ud, NULL, &rec) == 1 && rec.vector == VEC_UD;
}

static void test_nested_catch(struct ktest *t)
{
	struct fault_record rec = { 0 };
	int inner_ok = 0;

	KEXPECT_EQ(t, fault_catch(catch_inner, &inner_ok, &rec), 0);
	KEXPECT(t, inner_ok);
	KEXPECT_EQ(t, fault_catch(do_div0, NULL, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_DE);
}

/* ---- #BP / #DB hooks ---- */

static struct pt_regs seen;		/* the hook's copy of the trap's pt_regs */
static unsigned long seen_top;		/* the word at regs->sp, as the hook saw it */
static int hook_hits;

static int test_hook(struct pt_regs *regs)
{
	unsigned long ip = regs->ip;

	if (ip == (unsigned long)test_int3_regs_after) {
		seen = *regs;
		regs->dx ^= TEST_DX_FLIP;
	} else if (ip == (unsigned long)test_emu_call_ret) {
		int3_emulate_call(regs, (unsigned long)test_emu_target, regs->ip);
	} else if (ip == (unsigned long)test_push_after) {
		int3_emulate_push(regs, PUSH_VALUE);
	} else if (ip == (unsigned long)test_pop_after) {
		seen = *regs;
		seen_top = *(unsigned long *)regs->sp;
		regs->sp += WORD;
	} else {
		return 0;
	}
	hook_hits++;
	return 1;
}

static struct trap_hook bp_hook = { test_hook, NULL };

static void run_int3_regs(void *arg)
{
	*(unsigned long *)arg = test_int3_regs();
}

static void test_bp_hook_regs(struct ktest *t)
{
	struct fault_record rec;
	unsigned long bad = ~0ul;

	KEXPECT_EQ(t, trap_hook_register(VEC_BP, &bp_hook), 0);
	hook_hits = 0;
	test_int3_bad = 0;
	KEXPECT_EQ(t, fault_catch(run_int3_regs, &bad, &rec), 0);
	KEXPECT_EQ(t, trap_hook_unregister(VEC_BP, &bp_hook), 0);
	KEXPECT_EQ(t, hook_hits, 1);
	/* what the hook saw */
	KEXPECT_EQ(t, seen.vector, VEC_BP);
	KEXPECT_EQ(t, seen.ip, (unsigned long)test_int3_regs_after);
	KEXPECT_EQ(t, seen.sp, test_int3_sp);
	KEXPECT_EQ(t, seen.bp, test_int3_bp);
	KEXPECT_EQ(t, seen.cs, KERNEL_CS);
	KEXPECT_EQ(t, seen.ss, KERNEL_DS);
	KEXPECT_EQ(t, seen.ax, TEST_MAGIC + offsetof(struct pt_regs, ax));
	KEXPECT_EQ(t, seen.bx, TEST_MAGIC + offsetof(struct pt_regs, bx));
	KEXPECT_EQ(t, seen.cx, TEST_MAGIC + offsetof(struct pt_regs, cx));
	KEXPECT_EQ(t, seen.dx, TEST_MAGIC + offsetof(struct pt_regs, dx));
	KEXPECT_EQ(t, seen.si, TEST_MAGIC + offsetof(struct pt_regs, si));
	KEXPECT_EQ(t, seen.di, TEST_MAGIC + offsetof(struct pt_regs, di));
#if ARCH_BITS == 64
	KEXPECT_EQ(t, seen.r8, TEST_MAGIC + offsetof(struct pt_regs, r8));
	KEXPECT_EQ(t, seen.r9, TEST_MAGIC + offsetof(struct pt_regs, r9));
	KEXPECT_EQ(t, seen.r10, TEST_MAGIC + offsetof(struct pt_regs, r10));
	KEXPECT_EQ(t, seen.r11, TEST_MAGIC + offsetof(struct pt_regs, r11));
	KEXPECT_EQ(t, seen.r12, TEST_MAGIC + offsetof(struct pt_regs, r12));
	KEXPECT_EQ(t, seen.r13, TEST_MAGIC + offsetof(struct pt_regs, r13));
	KEXPECT_EQ(t, seen.r14, TEST_MAGIC + offsetof(struct pt_regs, r14));
	KEXPECT_EQ(t, seen.r15, TEST_MAGIC + offsetof(struct pt_regs, r15));
#else
	KEXPECT_EQ(t, seen.ds, KERNEL_DS);
	KEXPECT_EQ(t, seen.es, KERNEL_DS);
#endif
	/* what came back: every register restored, the flipped dx included */
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_EQ(t, test_int3_sp_after, test_int3_sp);

	/* unregistered: the same int3 is an unclaimed #BP again */
	KEXPECT_EQ(t, fault_catch(run_int3_regs, &bad, &rec), 1);
	KEXPECT_EQ(t, rec.vector, VEC_BP);
	KEXPECT_EQ(t, rec.ip, (unsigned long)test_int3_regs_after);
	KEXPECT_EQ(t, hook_hits, 1);
}

static void run_emulate_call(void *arg)
{
	*(unsigned long *)arg = test_emulate_call();
}

static void test_emulate_call_hook(struct ktest *t)
{
	struct fault_record rec;
	unsigned long ret = 0;

	KEXPECT_EQ(t, trap_hook_register(VEC_BP, &bp_hook), 0);
	hook_hits = 0;
	KEXPECT_EQ(t, fault_catch(run_emulate_call, &ret, &rec), 0);
	KEXPECT_EQ(t, trap_hook_unregister(VEC_BP, &bp_hook), 0);
	KEXPECT_EQ(t, hook_hits, 1);
	KEXPECT_EQ(t, ret, 0x5a5a);				/* the target ran ... */
	KEXPECT_EQ(t, test_emu_seen_ret, (unsigned long)test_emu_call_ret);	/* ... called from after the int3 */
	KEXPECT_EQ(t, test_emu_seen_sp, test_emu_sp_before - WORD);
	KEXPECT_EQ(t, test_emu_sp_after, test_emu_sp_before);	/* ... and returned */
}

static void run_emulate_push(void *arg)
{
	*(unsigned long *)arg = test_emulate_push();
}

static void run_emulate_pop(void *arg)
{
	(void)arg;
	test_emulate_pop();
}

/* A hook that moves regs->sp down (push) and up (pop): the return path honours both. */
static void test_regs_sp_honoured(struct ktest *t)
{
	struct fault_record rec;
	unsigned long popped = 0;

	KEXPECT_EQ(t, trap_hook_register(VEC_BP, &bp_hook), 0);
	hook_hits = 0;
	KEXPECT_EQ(t, fault_catch(run_emulate_push, &popped, &rec), 0);
	KEXPECT_EQ(t, popped, PUSH_VALUE);
	KEXPECT_EQ(t, test_push_sp_after, test_push_sp_before);
	KEXPECT_EQ(t, fault_catch(run_emulate_pop, NULL, &rec), 0);
	KEXPECT_EQ(t, trap_hook_unregister(VEC_BP, &bp_hook), 0);
	KEXPECT_EQ(t, hook_hits, 2);
	KEXPECT_EQ(t, seen_top, 0x7777);			/* the hook saw the pushed word on top */
	KEXPECT_EQ(t, seen.sp, test_pop_sp_before - WORD);
	KEXPECT_EQ(t, test_pop_sp_after, test_pop_sp_before);
}

static int db_hits;
static unsigned long db_ip, db_flags;

static int db_hook_fn(struct pt_regs *regs)
{
	db_hits++;
	db_ip = regs->ip;
	db_flags = regs->flags;
	regs->flags &= ~FLAGS_TF;
	return 1;
}

static struct trap_hook db_hook = { db_hook_fn, NULL };

static void run_single_step(void *arg)
{
	(void)arg;
	test_single_step();
}

static void test_db_hook(struct ktest *t)
{
	struct fault_record rec;

	KEXPECT_EQ(t, trap_hook_register(VEC_DB, &db_hook), 0);
	db_hits = 0;
	KEXPECT_EQ(t, fault_catch(run_single_step, NULL, &rec), 0);
	KEXPECT_EQ(t, trap_hook_unregister(VEC_DB, &db_hook), 0);
	KEXPECT_EQ(t, db_hits, 1);
	KEXPECT_EQ(t, db_ip, (unsigned long)test_single_step_after);
	KEXPECT(t, db_flags & FLAGS_TF);
}

static void test_hook_bad_input(struct ktest *t)
{
	static struct trap_hook no_handler = { NULL, NULL };

	KEXPECT_EQ(t, trap_hook_register(VEC_GP, &bp_hook), -1);
	KEXPECT_EQ(t, trap_hook_register(VEC_BP, NULL), -1);
	KEXPECT_EQ(t, trap_hook_register(VEC_BP, &no_handler), -1);
	KEXPECT_EQ(t, trap_hook_unregister(VEC_BP, &bp_hook), -1);	/* not registered */
	KEXPECT_EQ(t, trap_hook_register(VEC_BP, &bp_hook), 0);
	KEXPECT_EQ(t, trap_hook_register(VEC_BP, &bp_hook), -1);	/* twice */
	KEXPECT_EQ(t, trap_hook_unregister(VEC_DB, &bp_hook), -1);	/* wrong vector */
	KEXPECT_EQ(t, trap_hook_unregister(VEC_BP, &bp_hook), 0);
	KEXPECT(t, !strcmp(trap_name(VEC_PF), "#PF page fault"));
	KEXPECT(t, !strcmp(trap_name(31), "reserved"));
}

/* ---- unwinding out of a trap ---- */

#define MAX_FRAMES 16

struct capture {
	int n, trap_at;		/* trap_at: index of the pt_regs frame, -1 if none */
	unsigned long ip[MAX_FRAMES];
	unsigned long vector;
};

static int capture_frame(unsigned long ip, const struct pt_regs *regs, void *ctx)
{
	struct capture *c = ctx;

	if (regs && c->trap_at < 0) {
		c->trap_at = c->n;
		c->vector = regs->vector;
	}
	c->ip[c->n++] = ip;
	return c->n == MAX_FRAMES;
}

static struct capture trap_capture;

static __attribute__((noipa)) void capture_here(struct capture *c)
{
	c->n = 0;
	c->trap_at = -1;
	unwind_walk((unsigned long)__builtin_return_address(0), *(unsigned long *)__builtin_frame_address(0),
		    capture_frame, c);
}

static int unwind_hook_fn(struct pt_regs *regs)
{
	if (strcmp(func_of(regs->ip - 1), "unwind_victim"))
		return 0;
	capture_here(&trap_capture);
	return 1;
}

static struct trap_hook unwind_hook = { unwind_hook_fn, NULL };

static __attribute__((noipa)) int unwind_victim(int x)
{
	asm volatile("int3" ::: "memory");
	return x + 1;
}

static __attribute__((noipa)) void test_unwind_through_trap(struct ktest *t)
{
	int i;

	KEXPECT_EQ(t, trap_hook_register(VEC_BP, &unwind_hook), 0);
	KEXPECT_EQ(t, unwind_victim(1), 2);
	KEXPECT_EQ(t, trap_hook_unregister(VEC_BP, &unwind_hook), 0);
	for (i = 0; i < trap_capture.n; i++)
		ktest_log(t, "frame %d: %s%s", i, func_of(trap_capture.ip[i]),
			  i == trap_capture.trap_at ? " (trap frame)" : "");
	/* hook -> trap_dispatch -> <exception> unwind_victim -> this test */
	KEXPECT(t, trap_capture.n >= 4);
	KEXPECT(t, !strcmp(func_of(trap_capture.ip[0]), "unwind_hook_fn"));
	KEXPECT(t, trap_capture.trap_at > 0);
	if (trap_capture.trap_at > 0 && trap_capture.trap_at + 1 < trap_capture.n) {
		i = trap_capture.trap_at;
		KEXPECT_EQ(t, trap_capture.vector, VEC_BP);
		KEXPECT(t, !strcmp(func_of(trap_capture.ip[i - 1]), "trap_dispatch"));
		KEXPECT(t, !strcmp(func_of(trap_capture.ip[i]), "unwind_victim"));
		KEXPECT(t, !strcmp(func_of(trap_capture.ip[i + 1]), "test_unwind_through_trap"));
	}
}

static const struct ktest_case traps_cases[] = {
	{ "ud", test_ud },
	{ "de", test_de },
	{ "gp", test_gp_fault },
	{ "pf", test_pf },
	{ "int3_unclaimed", test_int3_unclaimed },
	{ "double_fault", test_double_fault_caught },
	{ "nested_catch", test_nested_catch },
	{ "bp_hook_regs", test_bp_hook_regs },
	{ "emulate_call", test_emulate_call_hook },
	{ "regs_sp_honoured", test_regs_sp_honoured },
	{ "db_hook_single_step", test_db_hook },
	{ "hook_bad_input", test_hook_bad_input },
	{ "unwind_through_trap", test_unwind_through_trap },
	{ 0 },
};

static const struct ktest_suite traps_suite = { "traps", traps_cases, NULL };
KTEST_SUITE(traps_suite);
