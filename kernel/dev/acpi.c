/*
 * ACPI power off and reboot (kernel/dev/acpi.h). Tables may sit in memory the
 * firmware calls "reserved" (SeaBIOS), which our page tables leave out:
 * every table is mapped with mm_map_mmio() before it is read. On i386
 * tables above 4 GiB are out of reach and skipped.
 */
#include "kernel/dev/acpi.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/tsc.h"
#include "lib/string.h"

#define HEADER_LEN	36	/* signature, length, revision, checksum, OEM ids ... */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP	(7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN	(1u << 13)
#define PM1_SCI_EN	1u
#define SLEEP_CTL_TYP_SHIFT 2	/* hardware-reduced SLEEP_CONTROL_REG */
#define SLEEP_CTL_EN	(1u << 5)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED	(1u << 20)

/* FADT field offsets (ACPI 6.x, table 5.9). */
enum {
	FADT_DSDT = 40, FADT_SMI_CMD = 48, FADT_ACPI_ENABLE = 52, FADT_PM1A_CNT = 64,
	FADT_PM1B_CNT = 68, FADT_PM1_CNT_LEN = 89, FADT_FLAGS = 112, FADT_RESET_REG = 116,
	FADT_RESET_VALUE = 128, FADT_X_DSDT = 140, FADT_X_PM1A_CNT = 172, FADT_X_PM1B_CNT = 184,
	FADT_SLEEP_CONTROL = 244,
};

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;	/* revision >= 2 from here */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

static struct acpi_info info;
static int parsed, result;

const struct acpi_info *acpi_get_info(void)
{
	return &info;
}

int acpi_checksum_ok(const void *table, size_t len)
{
	const uint8_t *p = table;
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

/* Make [phys, phys + len) readable; NULL when it cannot be reached. */
static const uint8_t *map(uint64_t phys, uint64_t len)
{
	uint64_t page = phys & ~(uint64_t)(PAGE_SIZE - 1);

	if (!phys || phys + len < phys || (uintptr_t)(phys + len - 1) != phys + len - 1)
		return NULL;
	for (; mm_paging_on() && page < phys + len; page += PAGE_SIZE) {
		int err;

		if (arch_page_attr((uintptr_t)page) >= 0)
			continue;
		err = mm_map_mmio(page, PAGE_SIZE);
		if (err && err != -EEXIST)	/* already-mapped RAM is fine */
			return NULL;
	}
	return (const uint8_t *)(uintptr_t)phys;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* A whole table: header first (for its length), then all of it. */
static const uint8_t *map_table(uint64_t phys, const char *sig)
{
	const uint8_t *h = map(phys, HEADER_LEN);
	uint32_t len;

	if (!h || (sig && memcmp(h, sig, 4)))
		return NULL;
	len = get32(h + 4);
	if (len < HEADER_LEN || len > (16u << 20) || !map(phys, len))
		return NULL;
	if (!acpi_checksum_ok(h, len))
		info.bad_checksums++;
	return h;
}

/* A table (FACP, APIC ...) from the RSDT (4-byte entries) or XSDT (8-byte entries). */
static const uint8_t *find_table(const uint8_t *sdt, unsigned entry_size, const char *sig)
{
	uint32_t len = get32(sdt + 4);

	for (uint32_t off = HEADER_LEN; off + entry_size <= len; off += entry_size) {
		uint64_t phys = entry_size == 8 ? get64(sdt + off) : get32(sdt + off);
		const uint8_t *h = map(phys, HEADER_LEN);

		if (h && !memcmp(h, sig, 4))
			return map_table(phys, sig);
	}
	return NULL;
}

/*
 * The MADT's processors: Processor Local APIC (type 0: uid, APIC id, flags)
 * and Processor Local x2APIC (type 9: 2 reserved, x2APIC id, flags, uid)
 * entries, flags bit 0 enabled or bit 1 online capable. An id listed twice
 * (firmware lists CPUs with small ids in both forms) counts once.
 */
static void madt_parse(const uint8_t *madt)
{
	uint32_t len = get32(madt + 4);

	info.madt = 1;
	for (uint32_t off = HEADER_LEN + 8; off + 2 <= len; off += madt[off + 1]) {
		const uint8_t *e = madt + off;
		uint32_t id, flags;
		int dup = 0;

		if (e[1] < 2 || off + e[1] > len)
			break;
		if (e[0] == 0 && e[1] >= 8) {
			id = e[3];
			flags = get32(e + 4);
		} else if (e[0] == 9 && e[1] >= 16) {
			id = get32(e + 4);
			flags = get32(e + 8);
		} else {
			continue;
		}
		if (!(flags & 3))
			continue;
		for (int i = 0; i < info.nr_cpus; i++)
			dup |= info.apic_ids[i] == id;
		if (dup)
			continue;
		if (info.nr_cpus == ACPI_MAX_CPUS) {
			info.cpus_ignored++;
			continue;
		}
		info.apic_ids[info.nr_cpus++] = id;
	}
}

/* A FADT field, or 0 when this (older, shorter) FADT ends before it. */
static int field(const uint8_t *fadt, unsigned off, void *out, unsigned size)
{
	memset(out, 0, size);
	if (off + size > get32(fadt + 4))
		return 0;
	memcpy(out, fadt + off, size);
	return 1;
}

/* An extended register if given, else the legacy I/O port. */
static void pm1_block(const uint8_t *fadt, unsigned x_off, unsigned legacy_off, struct acpi_gas *g)
{
	uint32_t port;

	if (field(fadt, x_off, g, sizeof(*g)) && g->address)
		return;
	field(fadt, legacy_off, &port, 4);
	*g = (struct acpi_gas){ .space = ACPI_SPACE_IO, .bit_width = 16, .address = port };
}

static int aml_int(const uint8_t *aml, size_t len, size_t *p, uint8_t *v)
{
	if (*p >= len)
		return -1;
	switch (aml[*p]) {
	case 0x00:			/* ZeroOp */
	case 0x01:			/* OneOp */
		*v = aml[(*p)++];
		return 0;
	case 0x0a:			/* BytePrefix */
	case 0x0b:			/* WordPrefix */
	case 0x0c: {			/* DWordPrefix */
		size_t n = aml[*p] == 0x0a ? 1 : aml[*p] == 0x0b ? 2 : 4;

		if (*p + n >= len)
			return -1;
		*v = aml[*p + 1];	/* SLP_TYP is 3 bits */
		*p += 1 + n;
		return 0;
	}
	}
	return -1;
}

int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	for (size_t i = 1; i + 4 <= len; i++) {
		size_t p = i + 4;

		if (memcmp(aml + i, "_S5_", 4))
			continue;
		/* NameOp "_S5_" or NameOp '\' "_S5_" (a method *using* _S5 does not count) */
		if (aml[i - 1] != 0x08 && !(i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == 0x08))
			continue;
		if (p >= len || aml[p] != 0x12)		/* PackageOp */
			continue;
		p++;
		if (p >= len)
			return -1;
		p += 1 + (aml[p] >> 6);			/* PkgLength: 1 to 4 bytes */
		p++;					/* NumElements */
		if (aml_int(aml, len, &p, typa))
			return -1;
		if (aml_int(aml, len, &p, typb))
			*typb = 0;
		return 0;
	}
	return -1;
}

static int parse(void)
{
	const struct rsdp *rsdp = boot_info.rsdp;
	const uint8_t *sdt = NULL, *fadt = NULL, *madt, *dsdt;
	uint64_t dsdt_phys = 0;
	uint32_t flags = 0, dsdt32 = 0;

	if (!rsdp)
		return info.error = "the boot loader passed no RSDP", -1;
	if (memcmp(rsdp->signature, "RSD PTR ", 8) || !acpi_checksum_ok(rsdp, 20))
		return info.error = "bad RSDP", -1;
	memcpy(info.oem, rsdp->oem, 6);
	/* An "old" tag holds 20 bytes even when the RSDP says revision 2: no xsdt there. */
	if (boot_info.rsdp_revision >= 2 && rsdp->revision >= 2 && rsdp->xsdt &&
	    (sdt = map_table(rsdp->xsdt, "XSDT"))) {
		fadt = find_table(sdt, 8, "FACP");
		if ((madt = find_table(sdt, 8, "APIC")))
			madt_parse(madt);
	}
	if (!fadt && rsdp->rsdt && (sdt = map_table(rsdp->rsdt, "RSDT"))) {
		fadt = find_table(sdt, 4, "FACP");
		if (!info.madt && (madt = find_table(sdt, 4, "APIC")))
			madt_parse(madt);
	}
	if (!sdt)
		return info.error = "no readable RSDT or XSDT", -1;
	if (!fadt)
		return info.error = "no FADT", -1;

	info.fadt_revision = fadt[8];
	field(fadt, FADT_FLAGS, &flags, 4);
	field(fadt, FADT_SMI_CMD, &info.smi_cmd, 4);
	field(fadt, FADT_ACPI_ENABLE, &info.acpi_enable, 1);
	pm1_block(fadt, FADT_X_PM1A_CNT, FADT_PM1A_CNT, &info.pm1a_cnt);
	pm1_block(fadt, FADT_X_PM1B_CNT, FADT_PM1B_CNT, &info.pm1b_cnt);
	info.hw_reduced = !!(flags & FADT_HW_REDUCED);
	if (info.hw_reduced)
		field(fadt, FADT_SLEEP_CONTROL, &info.sleep_control, sizeof(info.sleep_control));
	if (info.fadt_revision >= 2 && (flags & FADT_RESET_REG_SUP) &&
	    field(fadt, FADT_RESET_REG, &info.reset_reg, sizeof(info.reset_reg)) &&
	    field(fadt, FADT_RESET_VALUE, &info.reset_value, 1) && info.reset_reg.address)
		info.reset_supported = 1;

	field(fadt, FADT_X_DSDT, &dsdt_phys, 8);
	if (!dsdt_phys && field(fadt, FADT_DSDT, &dsdt32, 4))
		dsdt_phys = dsdt32;
	dsdt = dsdt_phys ? map_table(dsdt_phys, "DSDT") : NULL;
	if (dsdt && !acpi_find_s5(dsdt + HEADER_LEN, get32(dsdt + 4) - HEADER_LEN,
				  &info.slp_typa, &info.slp_typb))
		info.s5 = 1;
	return 0;
}

static const char *space_name(uint8_t space)
{
	return space == ACPI_SPACE_IO ? "I/O" : space == ACPI_SPACE_MEMORY ? "memory" :
	       space == ACPI_SPACE_PCI ? "PCI config" : "unsupported space";
}

int acpi_init(void)
{
	if (parsed)
		return result;
	parsed = 1;
	result = parse();
	if (result) {
		printk("acpi: %s; power off unavailable, reboot through the keyboard controller\n",
		       info.error);
		return result;
	}
	printk("acpi: %s FADT rev %d, PM1a_CNT %s %#llx, ", info.oem, info.fadt_revision,
	       space_name(info.pm1a_cnt.space), (unsigned long long)info.pm1a_cnt.address);
	if (info.s5)
		printk("\\_S5 SLP_TYP %u/%u, ", info.slp_typa, info.slp_typb);
	else
		printk("no \\_S5, ");
	if (info.reset_supported)
		printk("reset %s %#llx <- %#x", space_name(info.reset_reg.space),
		       (unsigned long long)info.reset_reg.address, info.reset_value);
	else
		printk("no reset register");
	printk("%s\n", info.bad_checksums ? " (bad checksums ignored)" : "");
	return 0;
}

/* ---- registers ---------------------------------------------------------- */

static uint32_t gas_read(const struct acpi_gas *g)
{
	if (g->space == ACPI_SPACE_IO)
		return g->bit_width == 8 ? inb((uint16_t)g->address) : inw((uint16_t)g->address);
	if (g->space == ACPI_SPACE_MEMORY && map(g->address, 2))
		return g->bit_width == 8 ? *(volatile uint8_t *)(uintptr_t)g->address
					 : *(volatile uint16_t *)(uintptr_t)g->address;
	return 0;
}

static void gas_write(const struct acpi_gas *g, uint32_t v)
{
	uint64_t a = g->address;

	switch (g->space) {
	case ACPI_SPACE_IO:
		if (g->bit_width == 8)
			outb((uint16_t)a, (uint8_t)v);
		else if (g->bit_width == 32)
			outl((uint16_t)a, v);
		else
			outw((uint16_t)a, (uint16_t)v);
		break;
	case ACPI_SPACE_MEMORY:
		if (!map(a, 4))
			break;
		if (g->bit_width == 8)
			*(volatile uint8_t *)(uintptr_t)a = (uint8_t)v;
		else if (g->bit_width == 32)
			*(volatile uint32_t *)(uintptr_t)a = v;
		else
			*(volatile uint16_t *)(uintptr_t)a = (uint16_t)v;
		break;
	case ACPI_SPACE_PCI:
		/* segment 0, bus 0: device in bits 47:32, function 31:16, offset 15:0 */
		outl(0xcf8, 0x80000000u | (uint32_t)((a >> 32) & 0x1f) << 11 |
			    (uint32_t)((a >> 16) & 7) << 8 | (uint32_t)(a & 0xfc));
		outb((uint16_t)(0xcfc + (a & 3)), (uint8_t)v);
		break;
	}
}

/* About ms milliseconds; without a TSC rate, port 0x80 writes (~1 us each). */
static void delay_ms(unsigned ms)
{
	if (tsc.hz) {
		uint64_t t0 = rdtsc(), n = tsc.hz / 1000 * ms;

		while (rdtsc() - t0 < n)
			cpu_relax();
		return;
	}
	for (unsigned long i = 0; i < 1000ul * ms; i++)
		outb(0x80, 0);
}

void acpi_power_off(void)
{
	acpi_init();
	if (info.error) {
		printk("poweroff: no ACPI (%s)\n", info.error);
		return;
	}
	if (!info.s5) {
		printk("poweroff: the DSDT has no \\_S5 sleep type\n");
		return;
	}
	printk("poweroff: ACPI S5\n");
	irq_disable();
	if (info.hw_reduced) {
		if (info.sleep_control.address)
			gas_write(&info.sleep_control,
				  (uint32_t)info.slp_typa << SLEEP_CTL_TYP_SHIFT | SLEEP_CTL_EN);
	} else if (info.pm1a_cnt.address) {
		/* Legacy mode first: SLP_EN is only looked at with SCI_EN set. */
		if (info.smi_cmd && info.acpi_enable && !(gas_read(&info.pm1a_cnt) & PM1_SCI_EN)) {
			outb((uint16_t)info.smi_cmd, info.acpi_enable);
			for (int i = 0; i < 300 && !(gas_read(&info.pm1a_cnt) & PM1_SCI_EN); i++)
				delay_ms(10);
		}
		uint32_t a = gas_read(&info.pm1a_cnt) & ~(PM1_SLP_TYP | PM1_SLP_EN);
		a |= (uint32_t)info.slp_typa << PM1_SLP_TYP_SHIFT;
		gas_write(&info.pm1a_cnt, a);
		if (info.pm1b_cnt.address) {
			uint32_t b = gas_read(&info.pm1b_cnt) & ~(PM1_SLP_TYP | PM1_SLP_EN);
			b |= (uint32_t)info.slp_typb << PM1_SLP_TYP_SHIFT;
			gas_write(&info.pm1b_cnt, b);
			gas_write(&info.pm1b_cnt, b | PM1_SLP_EN);
		}
		gas_write(&info.pm1a_cnt, a | PM1_SLP_EN);
	}
	delay_ms(1000);
	printk("poweroff: still running one second after ACPI S5\n");
}

/* An IDT of limit 0: the int3 cannot be delivered, nor the #DF: a triple fault. */
static void __noreturn triple_fault(void)
{
	struct {
		uint16_t limit;
		unsigned long base;
	} __attribute__((packed)) idtr = { 0, 0 };

	asm volatile("lidt %0; int3" : : "m"(idtr));
	for (;;)
		cpu_halt();
}

void acpi_reboot(void)
{
	acpi_init();
	irq_disable();
	if (info.reset_supported) {
		printk("reboot: ACPI reset register\n");
		gas_write(&info.reset_reg, info.reset_value);
		delay_ms(500);
	}
	printk("reboot: keyboard controller reset line\n");
	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		;
	outb(0x64, 0xfe);
	delay_ms(500);
	printk("reboot: triple fault\n");
	triple_fault();
}
