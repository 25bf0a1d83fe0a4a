/* Parse the multiboot2 boot information into struct boot_info. */
#include <stdint.h>
#include "kernel/bootinfo.h"
#include "kernel/dev/console.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289

enum {
	TAG_END = 0, TAG_CMDLINE = 1, TAG_LOADER = 2, TAG_MODULE = 3,
	TAG_BASIC_MEMINFO = 4, TAG_MMAP = 6, TAG_FRAMEBUFFER = 8,
	TAG_EFI32 = 11, TAG_EFI64 = 12, TAG_SMBIOS = 13, TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15, TAG_EFI_MMAP = 17,
};

struct tag {
	uint32_t type, size;
};

struct tag_mmap {
	struct tag tag;
	uint32_t entry_size, entry_version;
};

struct mmap_entry {
	uint64_t base, len;
	uint32_t type, reserved;
};

struct tag_framebuffer {
	struct tag tag;
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
	uint16_t reserved;
	/* for type 1 (RGB): */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
} __attribute__((packed));

struct tag_module {
	struct tag tag;
	uint32_t start, end;
};

struct boot_info boot_info = { .fb = { .type = FB_NONE } };

static void add_region(uint64_t base, uint64_t len, uint32_t type)
{
	if (boot_info.region_count == BOOT_MAX_REGIONS) {
		boot_info.truncated_regions++;
		return;
	}
	if (type < MEM_AVAILABLE || type > MEM_BAD)
		type = MEM_RESERVED;
	boot_info.regions[boot_info.region_count++] = (struct mem_region){ base, len, type };
	if (type == MEM_AVAILABLE)
		boot_info.mem_available += len;
}

static void parse_mmap(const struct tag_mmap *t)
{
	const uint8_t *p = (const uint8_t *)(t + 1);
	const uint8_t *end = (const uint8_t *)t + t->tag.size;

	if (t->entry_size < sizeof(struct mmap_entry))
		return;
	for (; p + t->entry_size <= end; p += t->entry_size) {
		const struct mmap_entry *e = (const void *)p;
		add_region(e->base, e->len, e->type);
	}
}

static void parse_framebuffer(const struct tag_framebuffer *t)
{
	struct fb_info *fb = &boot_info.fb;

	fb->type = t->type;
	fb->addr = t->addr;
	fb->pitch = t->pitch;
	fb->width = t->width;
	fb->height = t->height;
	fb->bpp = t->bpp;
	if (t->type == FB_RGB) {
		fb->red_pos = t->red_pos;
		fb->red_size = t->red_size;
		fb->green_pos = t->green_pos;
		fb->green_size = t->green_size;
		fb->blue_pos = t->blue_pos;
		fb->blue_size = t->blue_size;
	}
}

/*
 * Whether tag t, with left bytes of boot information from t on, holds what
 * its type promises (a short ACPI tag would let the RSDP be read past it, a
 * string without its NUL would run on). A tag that does not stops the walk:
 * its size cannot be trusted to find the next one.
 */
static int tag_ok(const struct tag *t, uintptr_t left)
{
	uint32_t need = sizeof(*t);
	const char *s = (const char *)(t + 1);

	if (t->size < sizeof(*t) || t->size > left)
		return 0;
	switch (t->type) {
	case TAG_CMDLINE:
	case TAG_LOADER:
		return t->size > sizeof(*t) && !s[t->size - sizeof(*t) - 1];
	case TAG_MODULE: need = sizeof(struct tag_module); break;
	case TAG_MMAP:		/* entries: whole, 8-byte aligned (the spec's) */
		need = sizeof(struct tag_mmap);
		if (t->size >= need && (((const struct tag_mmap *)t)->entry_size % 8 ||
					((const struct tag_mmap *)t)->entry_size < sizeof(struct mmap_entry)))
			return 0;
		break;
	case TAG_FRAMEBUFFER:	/* the colour fields only for RGB */
		need = __builtin_offsetof(struct tag_framebuffer, red_pos);
		if (t->size >= need && ((const struct tag_framebuffer *)t)->type == FB_RGB)
			need = sizeof(struct tag_framebuffer);
		break;
	case TAG_ACPI_OLD: need += 20; break;	/* RSDP 1.0 */
	case TAG_ACPI_NEW: need += 36; break;	/* RSDP 2.0 */
	}
	return t->size >= need;
}

int multiboot2_parse(uint32_t magic, uint32_t info_addr)
{
	const uint8_t *info = (const uint8_t *)(uintptr_t)info_addr;
	uint32_t total;
	const uint8_t *p;

	if (magic != MB2_BOOTLOADER_MAGIC)
		return -1;
	total = *(const uint32_t *)info;
	boot_info.info_start = info_addr;
	boot_info.info_end = info_addr + total;
	for (p = info + 8; p + sizeof(struct tag) <= info + total;
	     p += (((const struct tag *)p)->size + 7) & ~7u) {
		const struct tag *t = (const void *)p;

		if (!tag_ok(t, (uintptr_t)(info + total - p))) {
			boot_info.bad_tag = t->type;
			boot_info.bad_tags++;
			return 0;
		}
		switch (t->type) {
		case TAG_END:
			return 0;
		case TAG_CMDLINE:
			boot_info.cmdline = (const char *)(t + 1);
			break;
		case TAG_LOADER:
			boot_info.loader = (const char *)(t + 1);
			break;
		case TAG_MODULE:
			if (boot_info.module_count < BOOT_MAX_MODULES) {
				const struct tag_module *m = (const void *)t;
				boot_info.modules[boot_info.module_count].start = m->start;
				boot_info.modules[boot_info.module_count].end = m->end;
				boot_info.module_count++;
			}
			break;
		case TAG_MMAP:
			parse_mmap((const void *)t);
			break;
		case TAG_FRAMEBUFFER:
			parse_framebuffer((const void *)t);
			break;
		case TAG_EFI32:
		case TAG_EFI64:
		case TAG_EFI_MMAP:
			boot_info.efi = 1;
			break;
		case TAG_SMBIOS:
			boot_info.smbios = (const uint8_t *)(t + 1) + 8;
			break;
		case TAG_ACPI_OLD:
			if (!boot_info.rsdp)
				boot_info.rsdp = t + 1;
			break;
		case TAG_ACPI_NEW:
			boot_info.rsdp = t + 1;
			boot_info.rsdp_revision = 2;
			break;
		}
	}
	return 0;
}

static const char *mem_type_name(uint32_t type)
{
	static const char *const names[] = {
		"?", "available", "reserved", "ACPI reclaimable", "ACPI NVS", "bad",
	};

	return type <= MEM_BAD ? names[type] : "?";
}

void bootinfo_print(void)
{
	const struct fb_info *fb = &boot_info.fb;

	printk("boot: %s, %s firmware\n", boot_info.loader ? boot_info.loader : "unknown loader",
	       boot_info.efi ? "UEFI" : "BIOS");
	printk("cmdline: %s\n", boot_info.cmdline ? boot_info.cmdline : "");
	printk("memory map: %d regions, %llu MiB available%s\n", boot_info.region_count,
	       (unsigned long long)(boot_info.mem_available >> 20),
	       boot_info.truncated_regions ? " (map truncated)" : "");
	for (int i = 0; i < boot_info.region_count; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		printk_on(CON_SERIAL, "  %#014llx-%#014llx %s\n", (unsigned long long)r->base,
			  (unsigned long long)(r->base + r->len - 1), mem_type_name(r->type));
	}
	if (fb->type == FB_RGB)
		printk("framebuffer: %ux%u %u bpp at %#llx, pitch %u\n", fb->width, fb->height,
		       fb->bpp, (unsigned long long)fb->addr, fb->pitch);
	else if (fb->type == FB_EGA_TEXT)
		printk("framebuffer: EGA text %ux%u at %#llx\n", fb->width, fb->height,
		       (unsigned long long)fb->addr);
	else
		printk("framebuffer: none\n");
	printk("ACPI RSDP: %s\n", boot_info.rsdp ? (boot_info.rsdp_revision ? "v2" : "v1") : "none");
	if (boot_info.bad_tags)
		printk("boot: malformed tag (type %u); the rest of the boot information is ignored\n",
		       boot_info.bad_tag);
}
