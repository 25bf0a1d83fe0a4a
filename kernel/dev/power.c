#include "kernel/dev/power.h"
#include "kernel/cpu.h"

void qemu_exit(int code)
{
	outl(QEMU_EXIT_PORT, (uint32_t)code);
}

void halt_forever(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}
