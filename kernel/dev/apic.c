/* The local APIC (see apic.h). notrace: APs use it before they can trace. */
#include "kernel/dev/apic.h"
#include "kernel/cpu.h"
#include "kernel/dev/console.h"
#include "kernel/mm/mm.h"

#define MSR_APIC_BASE	0x1b
#define BASE_EN		(1u << 11)
#define BASE_EXTD	(1u << 10)	/* x2APIC mode */
#define X2APIC_MSR	0x800		/* + register offset / 16 */

enum { REG_ID = 0x20, REG_TPR = 0x80, REG_EOI = 0xb0, REG_SVR = 0xf0, REG_ICR_LO = 0x300,
       REG_ICR_HI = 0x310 };
#define ICR_BUSY	(1u << 12)
#define SVR_ENABLE	0x100

static volatile uint32_t *mmio;
static uint64_t base_phys;
static int x2;

static __noprobe uint32_t rd(unsigned reg)
{
	return x2 ? (uint32_t)rdmsr(X2APIC_MSR + reg / 16) : mmio[reg / 4];
}

static __noprobe void wr(unsigned reg, uint32_t v)
{
	if (x2)
		wrmsr(X2APIC_MSR + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

static __noprobe void enable(void)
{
	uint64_t b = rdmsr(MSR_APIC_BASE);

	/* xAPIC first: x2APIC mode may only be entered from it. */
	if (!(b & BASE_EN))
		wrmsr(MSR_APIC_BASE, b |= BASE_EN);
	if (x2 && !(b & BASE_EXTD))
		wrmsr(MSR_APIC_BASE, b | BASE_EXTD);
	wr(REG_TPR, 0);
	wr(REG_SVR, SVR_ENABLE | 0xff);		/* spurious vector 0xff */
}

int apic_init(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[3] & (1u << 9)))
		return -1;
	x2 = !!(r[2] & (1u << 21));
	base_phys = rdmsr(MSR_APIC_BASE) & ~0xfffull & 0xffffffffffull;
	if (!x2) {
		if (mm_map_mmio(base_phys, 4096))
			return -1;
		mmio = (volatile uint32_t *)(uintptr_t)base_phys;
	}
	enable();
	return 0;
}

void __noprobe apic_init_ap(void)
{
	enable();
}

int apic_x2apic(void)
{
	return x2;
}

uint32_t __noprobe apic_id(void)
{
	return x2 ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void __noprobe apic_eoi(void)
{
	wr(REG_EOI, 0);
}

void __noprobe apic_send(uint32_t dest, uint32_t low)
{
	if (x2) {
		/* wrmsr to the x2APIC does not wait for earlier stores: fence them */
		asm volatile("mfence" ::: "memory");
		wrmsr(X2APIC_MSR + REG_ICR_LO / 16, (uint64_t)dest << 32 | low);
		return;
	}
	while (rd(REG_ICR_LO) & ICR_BUSY)
		cpu_relax();
	wr(REG_ICR_HI, dest << 24);
	wr(REG_ICR_LO, low);
	while (rd(REG_ICR_LO) & ICR_BUSY)
		cpu_relax();
}
