/*
 * text_poke and the int3 protocol on top of it (see text_poke.h).
 *
 * The alias: arch_poke_alias is two virtual pages that map nothing except
 * while text_poke runs. It maps the target's physical page(s) there,
 * writable and not executable, copies, unmaps, invlpg's, and serializes
 * with cpuid so this CPU cannot run stale prefetched bytes. The ordinary
 * mapping of the text never becomes writable.
 *
 * Everything here is probe machinery: __noprobe, and the file is in
 * kernel/notrace.list. It calls no traced or probe-able code on the write
 * path (own byte copy, not memcpy).
 */
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/mm/mm_internal.h"
#include "kernel/mm/text_poke.h"
#include "kernel/smp/smp.h"
#include "kernel/traps.h"

#define INT3	0xcc

void (*text_poke_bp_step_hook)(int step);
unsigned long text_poke_bp_emulated;

static __noprobe void sync_core(void)
{
	unsigned int a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static __noprobe int poke_allowed(uintptr_t a, size_t len)
{
	uintptr_t start = (uintptr_t)__text_start, end = (uintptr_t)__text_end;

	if (a >= start && a < end && len <= end - a)
		return 1;
	return execmem_contains_range((const void *)a, len);
}

/* One patcher at a time: the alias pages are shared by every CPU. */
static struct spinlock text_lock = SPINLOCK_INIT;

static int __text_poke(void *addr, const void *bytes, size_t len);

int __noprobe text_poke(void *addr, const void *bytes, size_t len)
{
	int err;

	spin_lock(&text_lock);
	err = __text_poke(addr, bytes, len);
	if (!err)
		smp_sync_cores();
	spin_unlock(&text_lock);
	return err;
}

static __noprobe int __text_poke(void *addr, const void *bytes, size_t len)
{
	uintptr_t a = (uintptr_t)addr, page = a & ~PAGE_MASK;
	uintptr_t last = (a + len - 1) & ~PAGE_MASK;
	volatile uint8_t *dst;
	const uint8_t *src = bytes;
	unsigned long flags;

	if (!len || len > PAGE_SIZE || !bytes)
		return -EINVAL;
	if (!poke_allowed(a, len)) {
		printk("text_poke(%p, %zu) refused: not kernel text or execmem\n", addr, len);
		return -EFAULT;
	}
	if (!mm_paging_on())
		return -EBUSY;

	flags = irq_save();
	arch_map(arch_poke_alias, page, PAGE_SIZE, PG_WRITE);
	if (last != page)
		arch_map(arch_poke_alias + PAGE_SIZE, last, PAGE_SIZE, PG_WRITE);
	dst = (volatile uint8_t *)(arch_poke_alias + (a & PAGE_MASK));
	/*
	 * Twice: QEMU's TCG drops translations of a page BEFORE it performs
	 * the store that hit it (cputlb's notdirty_write), so another vCPU
	 * can translate the old bytes in between and keep running them after
	 * every sync. The second store drops such a translation; whatever is
	 * translated after the first store has the new bytes. On a real CPU
	 * it rewrites the same bytes.
	 */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < len; i++)
			dst[i] = src[i];
	arch_unmap_page(arch_poke_alias);
	if (last != page)
		arch_unmap_page(arch_poke_alias + PAGE_SIZE);
	sync_core();
	irq_restore(flags);
	return 0;
}

/*
 * Rewrite the byte at addr with its own value, under the lock, without a
 * sync. For the #BP handler's retry of an int3 that is gone from memory:
 * QEMU's TCG may keep running a stale translation of it (see __text_poke)
 * until the page is written again, and would retry forever. On hardware
 * it changes nothing.
 */
void __noprobe text_poke_refresh(void *addr)
{
	uint8_t b;

	if (!poke_allowed((uintptr_t)addr, 1) || !mm_paging_on())
		return;
	spin_lock(&text_lock);
	b = *(const volatile uint8_t *)addr;
	__text_poke(addr, &b, 1);
	spin_unlock(&text_lock);
}

/* ---- the int3 protocol ---- */

enum emul { EMUL_NONE, EMUL_CALL, EMUL_JMP, EMUL_SKIP };

static struct {
	volatile uintptr_t addr;	/* nonzero while our int3 sits there */
	size_t len;
	enum emul kind;
	uintptr_t target;		/* call/jmp destination */
} bp;

static const uint8_t nops[8][8] = {
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

static __noprobe int32_t rel32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

/* How the #BP hook stands in for insn (len bytes) placed at addr. */
static __noprobe enum emul classify(uintptr_t addr, const uint8_t *insn, size_t len, uintptr_t *target)
{
	if (len == 5 && (insn[0] == 0xe8 || insn[0] == 0xe9)) {
		*target = addr + 5 + (intptr_t)rel32(insn + 1);
		return insn[0] == 0xe8 ? EMUL_CALL : EMUL_JMP;
	}
	if (len == 2 && insn[0] == 0xeb) {
		*target = addr + 2 + (int8_t)insn[1];
		return EMUL_JMP;
	}
	if (len >= 1 && len <= 8) {
		size_t i = 0;
		while (i < len && insn[i] == nops[len - 1][i])
			i++;
		if (i == len)
			return EMUL_SKIP;
	}
	return EMUL_NONE;
}

static __noprobe int poke_int3_handler(struct pt_regs *regs)
{
	uintptr_t at = regs->ip - 1;

	if (!bp.addr || at != bp.addr)
		return 0;
	__atomic_add_fetch(&text_poke_bp_emulated, 1, __ATOMIC_RELAXED);
	switch (bp.kind) {
	case EMUL_CALL:
		int3_emulate_call(regs, bp.target, at + bp.len);
		break;
	case EMUL_JMP:
		int3_emulate_jmp(regs, bp.target);
		break;
	default:
		regs->ip = at + bp.len;
		break;
	}
	return 1;
}

static struct trap_hook poke_hook = { .handler = poke_int3_handler };

/* Registered first thing, so an in-progress patch's int3 is ours before anyone's. */
void text_poke_init(void)
{
	trap_hook_register(VEC_BP, &poke_hook);
}

static __noprobe void step_done(int step)
{
	if (text_poke_bp_step_hook)
		text_poke_bp_step_hook(step);
}

int __noprobe text_poke_bp(void *addr, const void *insn, size_t len, const void *emulate)
{
	const uint8_t int3 = INT3, *new = insn;
	uint8_t orig;
	uintptr_t a = (uintptr_t)addr, target = 0;
	unsigned long flags;
	enum emul kind;
	int err;

	if (!insn || !len || len > 15)
		return -EINVAL;
	kind = classify(a, emulate ? emulate : insn, len, &target);
	if (kind == EMUL_NONE) {
		printk("text_poke_bp(%p): cannot emulate the instruction (opcode %#x, %zu bytes)\n",
		       addr, *(const uint8_t *)(emulate ? emulate : insn), len);
		return -EINVAL;
	}
	if (!poke_allowed(a, len)) {
		printk("text_poke_bp(%p, %zu) refused: not kernel text or execmem\n", addr, len);
		return -EFAULT;
	}
	if (!mm_paging_on())
		return -EBUSY;
	flags = irq_save();
	spin_lock(&text_lock);
	if (bp.addr) {
		spin_unlock(&text_lock);
		irq_restore(flags);
		return -EBUSY;
	}
	bp.len = len;
	bp.kind = kind;
	bp.target = target;
	barrier();
	bp.addr = a;

	/*
	 * Each step is followed by smp_sync_cores(): every other CPU runs a
	 * serializing instruction before the next step (SDM, cross-modifying
	 * code). A CPU that hits the int3 meanwhile is in poke_int3_handler
	 * with interrupts off; it answers the sync only after it has left
	 * it, so bp stays valid until no CPU can be looking at it.
	 */
	orig = *(const volatile uint8_t *)addr;
	err = __text_poke(addr, &int3, 1);		/* 1: int3 on the first byte */
	if (!err) {
		smp_sync_cores();
		step_done(1);
		if (len > 1) {
			err = __text_poke((uint8_t *)addr + 1, new + 1, len - 1);	/* 2: the tail */
			smp_sync_cores();
		}
		if (!err) {
			step_done(2);
			err = __text_poke(addr, new, 1);	/* 3: the first byte */
		}
		if (err)	/* cannot happen once step 1 worked; never leave our int3 behind */
			__text_poke(addr, &orig, 1);
		smp_sync_cores();
	}
	bp.addr = 0;
	barrier();
	if (!err)
		step_done(3);
	spin_unlock(&text_lock);
	irq_restore(flags);
	return err;
}
