/*
 * libFuzzer target: the ACPI table walker and its AML \_S5 reader
 * (kernel/dev/acpi.c), over firmware tables nobody here controls.
 *
 * Input (tools/acpi-corpus.py writes real machines' tables in it):
 *	u8  RSDP tag: bit 0 set = multiboot2 "ACPI new" tag (15), else "old" (14)
 *	u8  n, then n bytes: the tag's RSDP copy as the boot loader passed it;
 *	    kernel/multiboot2.c reads the tag, from memory that ends right after it
 *	then chunks to the end: u32 phys, u32 len, len bytes of memory at phys
 * Each chunk is mapped at its own address (host address == phys, below 2 GiB);
 * everything else is unmapped, as tables outside RAM are until mm_map_mmio.
 * The same bytes are also given to acpi_find_s5() as one AML block.
 * The file is included, not copied: the harness resets its parse-once state.
 */
#include <stdlib.h>

#include "kernel/dev/acpi.c"
#include "tests/fuzz/kshim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *rsdp = NULL, *aml, a, b;
	size_t pos = 2, n;

	aml = malloc(size ? size : 1);
	memcpy(aml, data, size);
	acpi_find_s5(aml, size, &a, &b);
	free(aml);
	if (size < 2)
		return 0;
	n = data[1];
	if (pos + n > size)
		return 0;
	rsdp = malloc(8 + n);		/* the multiboot2 tag */
	put32(rsdp, data[0] & 1 ? 15 : 14);
	put32(rsdp + 4, (uint32_t)(8 + n));
	memcpy(rsdp + 8, data + pos, n);
	pos += n;
	while (pos + 8 <= size) {
		uint32_t phys, len;

		memcpy(&phys, data + pos, 4);
		memcpy(&len, data + pos + 4, 4);
		pos += 8;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		kshim_phys_map(phys, data + pos, len);
		pos += len;
	}
	memset(&info, 0, sizeof(info));
	parsed = 0;
	memset(&boot_info, 0, sizeof(boot_info));
	multiboot2_parse(0x36d76289, kshim_mb2_info(rsdp, 8 + n));	/* multiboot2's magic */
	acpi_init();
	kshim_phys_unmap_all();
	kshim_mb2_free();
	free(rsdp);
	return 0;
}
