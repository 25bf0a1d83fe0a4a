/*
 * text_poke: THE one way to change kernel text and execmem. Kernel text is
 * mapped read-only (CR0.WP on); text_poke writes through a temporary
 * writable alias of the target page(s), never by making text writable.
 */
#ifndef KERNEL_TEXT_POKE_H
#define KERNEL_TEXT_POKE_H
#include <stddef.h>

/*
 * Copy len bytes (1 .. PAGE_SIZE; may cross one page boundary) to addr,
 * which must lie wholly in kernel text [__text_start, __text_end) or in a
 * block execmem handed out. Interrupts are off while it writes; this CPU
 * (cpuid) and every other online CPU (smp_sync_cores) are serialized
 * before it returns. One CPU patches at a time (a lock). Returns 0, -EINVAL (bad length),
 * -EFAULT (address outside text and execmem; nothing written) or -EBUSY
 * (our page tables are not live yet).
 */
int text_poke(void *addr, const void *bytes, size_t len);

/*
 * Replace one instruction of live code (len bytes at addr) with insn, so
 * that at no moment can the CPU run a half-written instruction:
 *   1. text_poke an int3 (0xcc) over the first byte
 *   2. text_poke insn[1 .. len-1] behind it
 *   3. text_poke insn[0] over the int3
 * (each step serializes every CPU: smp_sync_cores). While the int3 of steps 1-2 sits at addr, a
 * #BP there (from an NMI, a nested exception, or code the patcher itself
 * calls) is claimed by text_poke's #BP hook, which emulates `emulate` (or
 * insn when emulate is NULL), an instruction of the same length len:
 *   E8 rel32 (len 5)   call: push addr + 5, continue at addr + 5 + rel32
 *   E9 rel32 (len 5)   jmp:  continue at addr + 5 + rel32
 *   EB rel8  (len 2)   jmp:  continue at addr + 2 + rel8
 *   a NOP of len bytes (90, 66 90, 0f 1f 00 ... the 8-byte 0f 1f 84 00..)
 *                      continue at addr + len
 * Anything else cannot be emulated: text_poke_bp refuses it (-EINVAL) and
 * changes nothing. To replace another instruction, pass as `emulate` a jmp
 * to a copy of the old one (in execmem) or a NOP of the same length.
 * Runs with interrupts off. Returns 0 or text_poke's errors; -EBUSY if
 * another text_poke_bp is in progress (called from inside one).
 */
int text_poke_bp(void *addr, const void *insn, size_t len, const void *emulate);

/* Rewrite one byte of text with its own value (no sync): see text_poke.c. */
void text_poke_refresh(void *addr);

/* Hits on text_poke_bp's temporary int3 (any CPU), emulated. */
extern unsigned long text_poke_bp_emulated;

/*
 * Tests only: when set, called after each of text_poke_bp's three steps
 * (1, 2: int3 in place; 3: done), with interrupts off.
 */
extern void (*text_poke_bp_step_hook)(int step);

#endif
