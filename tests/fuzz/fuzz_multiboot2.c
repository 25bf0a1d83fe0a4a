/*
 * libFuzzer target: the multiboot2 boot information (kernel/multiboot2.c),
 * which the boot loader builds and the kernel trusts first. The input is the
 * tags after the 8-byte header; the harness writes the header's total size
 * (the one field the kernel cannot check) and places the information right
 * before an unmapped page, at a 32-bit address as the loader does. Then the
 * boot information is printed as at boot (every string in it is read).
 * The file is included, not copied: the harness resets boot_info.
 */
#include <stdlib.h>

#include "kernel/multiboot2.c"
#include "tests/fuzz/kshim.h"
#include "lib/string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t info = kshim_mb2_info(data, size);

	if (!info)
		return 0;
	memset(&boot_info, 0, sizeof(boot_info));
	boot_info.fb.type = FB_NONE;
	multiboot2_parse(MB2_BOOTLOADER_MAGIC, info);
	bootinfo_print();
	kshim_mb2_free();
	return 0;
}
