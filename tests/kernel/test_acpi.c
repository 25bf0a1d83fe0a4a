/* ACPI: checksums, the \_S5 byte search on hand-made AML, and this machine's tables. */
#include "kernel/dev/acpi.h"
#include "kernel/bootinfo.h"
#include "kernel/ktest.h"

static void test_checksum(struct ktest *t)
{
	uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 0 };

	b[7] = (uint8_t)-(1 + 2 + 3 + 4 + 5 + 6 + 7);
	KEXPECT(t, acpi_checksum_ok(b, sizeof(b)));
	b[3]++;
	KEXPECT(t, !acpi_checksum_ok(b, sizeof(b)));
}

static void test_s5(struct ktest *t)
{
	/* Name(_S5_, Package(4){5, 7, 0, 0}) with BytePrefix values */
	static const uint8_t bytes[] = { 0x10, 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
					 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 };
	/* Name(\_S5_, Package(2){Zero, One}) */
	static const uint8_t root[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x01 };
	/* a two-byte PkgLength (lead 0x40: one more byte) */
	static const uint8_t pkglen2[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02,
					   0x0a, 0x03, 0x0a, 0x04 };
	/* _S5_ used, not defined (Store(_S5_, Local0)), then the definition */
	static const uint8_t used[] = { 0x70, '_', 'S', '5', '_', 0x60,
					0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x06 };
	static const uint8_t truncated[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06 };
	static const uint8_t strange[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x5b, 0x01 };
	static const uint8_t none[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x03, 0x02, 0x00, 0x00 };
	uint8_t a = 0xee, b = 0xee;

	KEXPECT_EQ(t, acpi_find_s5(bytes, sizeof(bytes), &a, &b), 0);
	KEXPECT(t, a == 5 && b == 7);
	KEXPECT_EQ(t, acpi_find_s5(root, sizeof(root), &a, &b), 0);
	KEXPECT(t, a == 0 && b == 1);
	KEXPECT_EQ(t, acpi_find_s5(pkglen2, sizeof(pkglen2), &a, &b), 0);
	KEXPECT(t, a == 3 && b == 4);
	KEXPECT_EQ(t, acpi_find_s5(used, sizeof(used), &a, &b), 0);
	KEXPECT(t, a == 6 && b == 0);	/* one element: SLP_TYPb defaults to 0 */
	KEXPECT_EQ(t, acpi_find_s5(truncated, sizeof(truncated), &a, &b), -1);
	KEXPECT_EQ(t, acpi_find_s5(strange, sizeof(strange), &a, &b), -1);
	KEXPECT_EQ(t, acpi_find_s5(none, sizeof(none), &a, &b), -1);
	KEXPECT_EQ(t, acpi_find_s5(bytes, 4, &a, &b), -1);
}

/* What the firmware gave: with an RSDP, a FADT with a way to sleep and \_S5. */
static void test_tables(struct ktest *t)
{
	const struct acpi_info *info;

	if (!boot_info.rsdp) {
		ktest_skip(t, "the boot loader passed no RSDP");
		return;
	}
	KEXPECT(t, acpi_checksum_ok(boot_info.rsdp, 20));
	KEXPECT_EQ(t, acpi_init(), 0);
	info = acpi_get_info();
	if (!KEXPECT(t, info->error == NULL))
		ktest_log(t, "%s", info->error);
	KEXPECT(t, info->fadt_revision >= 1);
	KEXPECT(t, info->pm1a_cnt.address != 0 || (info->hw_reduced && info->sleep_control.address));
	KEXPECT(t, info->s5);
	KEXPECT(t, info->slp_typa < 8 && info->slp_typb < 8);
	if (info->reset_supported)
		KEXPECT(t, info->reset_reg.space <= ACPI_SPACE_PCI);
}

static const struct ktest_case acpi_cases[] = {
	{ "checksum", test_checksum },
	{ "s5_aml", test_s5 },
	{ "tables", test_tables },
	{ 0 },
};
static const struct ktest_suite acpi_suite = { "acpi", acpi_cases, NULL };
KTEST_SUITE(acpi_suite);
