/*
 * The local APIC of each CPU: x2APIC mode (MSRs) where CPUID says the CPU
 * has it, else xAPIC (MMIO at the base in IA32_APIC_BASE). Used for IPIs
 * only: no timer, LVTs left as the firmware set them (masked at reset).
 */
#ifndef KERNEL_APIC_H
#define KERNEL_APIC_H
#include <stdint.h>

/* ICR delivery modes (bits 8-10) and flags. */
#define APIC_DM_FIXED	0x000
#define APIC_DM_NMI	0x400
#define APIC_DM_INIT	0x500
#define APIC_DM_SIPI	0x600
#define APIC_LEVEL_ASSERT 0x4000
#define APIC_TRIGGER_LEVEL 0x8000

/* On the boot CPU: map the xAPIC (if used), enable. 0, or -1 without an APIC. */
int apic_init(void);
/* On each AP, in the mode the boot CPU chose. */
void apic_init_ap(void);
int apic_x2apic(void);
uint32_t apic_id(void);
void apic_eoi(void);
/* Send an IPI (low ICR word: mode | vector | flags) to one APIC id. */
void apic_send(uint32_t dest, uint32_t low);

#endif
