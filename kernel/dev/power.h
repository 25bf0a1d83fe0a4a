/* Leaving the kernel: QEMU's isa-debug-exit, halting, (later) ACPI power off. */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H
#include "kernel/compiler.h"

#define QEMU_EXIT_PORT 0xf4

/* QEMU exits with status (code << 1) | 1: 0 -> 1 (pass), 1 -> 3 (fail). */
void qemu_exit(int code);
void halt_forever(void) __noreturn;

#endif
