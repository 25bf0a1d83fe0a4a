/*
 * Just enough ACPI to leave the machine: the RSDP the boot loader copied
 * (boot_info.rsdp) -> RSDT/XSDT -> FADT (PM1 control blocks, the reset
 * register) -> DSDT (the \_S5 sleep type, found by a byte search of the
 * AML, not an interpreter); and the MADT's list of CPUs (kernel/smp/).
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H
#include <stddef.h>
#include <stdint.h>
#include "kernel/compiler.h"

/* A Generic Address Structure (ACPI 5.2.3.2). */
struct acpi_gas {
	uint8_t space;		/* 0 memory, 1 I/O, 2 PCI configuration */
	uint8_t bit_width, bit_offset, access_size;
	uint64_t address;
} __attribute__((packed));

#define ACPI_MAX_CPUS	256

enum { ACPI_SPACE_MEMORY = 0, ACPI_SPACE_IO = 1, ACPI_SPACE_PCI = 2 };

struct acpi_info {
	const char *error;		/* why there is no FADT, or NULL */
	char oem[7];
	int fadt_revision;
	struct acpi_gas pm1a_cnt, pm1b_cnt;	/* address 0: absent */
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	int hw_reduced;			/* no PM1 blocks: SLEEP_CONTROL_REG */
	struct acpi_gas sleep_control;
	int s5;				/* \_S5 found */
	uint8_t slp_typa, slp_typb;
	int reset_supported;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	int bad_checksums;		/* tables used anyway, as Linux does */
	/* MADT: the APIC ids of usable CPUs (enabled or online capable), in table order */
	int madt;			/* found */
	int nr_cpus;
	uint32_t apic_ids[ACPI_MAX_CPUS];
	int cpus_ignored;		/* usable CPUs beyond ACPI_MAX_CPUS */
};

/* Parse once (later calls return the first result) and print one line. 0 or -1. */
int acpi_init(void);
const struct acpi_info *acpi_get_info(void);

/* ACPI S5. Returns only if the machine is still running (it says why). */
void acpi_power_off(void);
/*
 * The FADT reset register, then the keyboard controller's reset line
 * (0xfe to port 0x64), then a triple fault.
 */
void acpi_reboot(void) __noreturn;

/* The bytes of a table (or the RSDP) sum to 0 mod 256. */
int acpi_checksum_ok(const void *table, size_t len);
/* SLP_TYPa/b of Name(_S5_, Package(){a, b, ...}) in AML. 0, or -1 if absent or malformed. */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

#endif
