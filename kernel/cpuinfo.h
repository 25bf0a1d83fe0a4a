/* Who the CPU says it is (CPUID), read once into plain fields. */
#ifndef KERNEL_CPUINFO_H
#define KERNEL_CPUINFO_H

struct cpu_info {
	char vendor[13];	/* "GenuineIntel", "AuthenticAMD" ... */
	char brand[49];		/* leading spaces removed; "" when the CPU has none */
	char hypervisor[13];	/* "KVMKVMKVM", "TCGTCGTCGTCG" ...; "" on bare metal */
	unsigned family, model, stepping;
	int under_hypervisor;	/* CPUID.1:ECX[31] */
};

void cpu_identify(struct cpu_info *c);

#endif
