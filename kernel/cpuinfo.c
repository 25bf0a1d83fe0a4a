/* CPU identification from CPUID leaves 0, 1, 0x80000002-4 and 0x40000000. */
#include <stdint.h>
#include "kernel/cpu.h"
#include "kernel/cpuinfo.h"
#include "lib/string.h"

/* Three CPUID registers as a string, in the order given. */
static void regs_string(char *dst, uint32_t a, uint32_t b, uint32_t c)
{
	memcpy(dst, &a, 4);
	memcpy(dst + 4, &b, 4);
	memcpy(dst + 8, &c, 4);
	dst[12] = 0;
}

void cpu_identify(struct cpu_info *c)
{
	uint32_t r[4];
	char *b;

	memset(c, 0, sizeof(*c));
	cpuid(0, r);
	regs_string(c->vendor, r[1], r[3], r[2]);
	cpuid(1, r);
	c->family = ((r[0] >> 8) & 0xf) + ((r[0] >> 20) & 0xff);
	c->model = ((r[0] >> 4) & 0xf) | ((r[0] >> 12) & 0xf0);
	c->stepping = r[0] & 0xf;
	c->under_hypervisor = !!(r[2] & (1u << 31));
	if (c->under_hypervisor) {
		cpuid(0x40000000, r);
		regs_string(c->hypervisor, r[1], r[2], r[3]);
	}
	cpuid(0x80000000, r);
	if (r[0] >= 0x80000004)
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, r);
			memcpy(c->brand + 16 * i, r, 16);
		}
	for (b = c->brand; *b == ' '; b++)
		;
	memmove(c->brand, b, strlen(b) + 1);
}
