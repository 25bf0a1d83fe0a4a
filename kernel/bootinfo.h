/*
 * What the boot loader told us, parsed once from the multiboot2 information
 * (kernel/multiboot2.c) into plain fields the rest of the kernel reads.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H
#include <stdint.h>

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 8

enum mem_type {
	MEM_AVAILABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_region {
	uint64_t base, len;
	uint32_t type;
};

enum fb_type { FB_NONE = -1, FB_INDEXED = 0, FB_RGB = 1, FB_EGA_TEXT = 2 };

struct fb_info {
	int type;			/* enum fb_type */
	uint64_t addr;			/* physical */
	uint32_t pitch, width, height;	/* bytes per line; pixels or characters */
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
	const char *cmdline;
	const char *loader;
	struct mem_region regions[BOOT_MAX_REGIONS];
	int region_count;
	uint64_t mem_available;		/* bytes of MEM_AVAILABLE */
	struct { uint32_t start, end; } modules[BOOT_MAX_MODULES];
	int module_count;
	struct fb_info fb;
	const void *rsdp;		/* copy of the ACPI RSDP inside the boot info */
	int rsdp_revision;		/* 0: ACPI 1.0 RSDP, 2: XSDP */
	const void *smbios;		/* copy of the SMBIOS entry point, if given */
	int efi;			/* booted by UEFI firmware */
	uintptr_t info_start, info_end;	/* the boot information itself */
	int truncated_regions;		/* regions past BOOT_MAX_REGIONS */
	int bad_tags;			/* malformed tags (the walk stops at the first) */
	uint32_t bad_tag;		/* its type */
};

extern struct boot_info boot_info;

/* Returns 0 on success, -1 if magic is wrong (not booted by multiboot2). */
int multiboot2_parse(uint32_t magic, uint32_t info_addr);
void bootinfo_print(void);

#endif
