/*
 * Where each general register lives in struct pt_regs, in the order the
 * instruction encoding numbers them (ModRM/SIB/opcode register fields):
 * kprobes read operands of emulated instructions. i386 has eight.
 */
#include <stddef.h>
#include "kernel/arch.h"

const uint8_t arch_gpr_offset[16] = {
	offsetof(struct pt_regs, ax), offsetof(struct pt_regs, cx),
	offsetof(struct pt_regs, dx), offsetof(struct pt_regs, bx),
	offsetof(struct pt_regs, sp), offsetof(struct pt_regs, bp),
	offsetof(struct pt_regs, si), offsetof(struct pt_regs, di),
};
