/*
 * insn_check.c - compare lib/insn.c instruction lengths with objdump.
 *
 *   insn_check [-q] FILE.elf [OBJDUMP]
 *
 * Reads the ELF file (32-bit -> INSN_MODE_32, 64-bit -> INSN_MODE_64, from
 * e_ident[EI_CLASS]), runs "objdump -d -w" on it, and for every instruction
 * objdump prints in an executable section decodes the file's bytes at that
 * address with insn_decode() and compares the length.  Lines objdump prints
 * as "(bad)" or as data directives (.byte/.word/...) are skipped.
 * objdump shows FWAIT (9B) followed by an x87 control instruction as one
 * line (fstsw = 9B DF E0); architecturally, and for insn_decode and Zydis,
 * these are two instructions, so such a line matches when 9B decodes as 1
 * byte and the rest as the remaining length (counted as "fwait pairs").
 * Prints every mismatch, then "1 passed, 0 failed" (the file is one check) or
 * "0 passed, 1 failed"; exits 1 on a mismatch.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "insn.h"

#define MAX_SECTIONS 4096
#define MAX_SHOWN 50

struct section {
	char name[128];
	uint64_t addr, offset, size;
};

struct elf_file {
	uint8_t *data;
	size_t size;
	int mode;		/* 32 or 64 */
	struct section secs[MAX_SECTIONS];
	unsigned nsecs;
};

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f || fstat(fileno(f), &st) < 0) {
		perror(path);
		exit(2);
	}
	buf = malloc((size_t)st.st_size + 16);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "%s: read failed\n", path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)st.st_size;
	return buf;
}

static void add_section(struct elf_file *e, const char *name, uint64_t addr,
			uint64_t offset, uint64_t size)
{
	struct section *s;

	if (e->nsecs == MAX_SECTIONS || offset > e->size || size > e->size - offset)
		return;
	s = &e->secs[e->nsecs++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->addr = addr;
	s->offset = offset;
	s->size = size;
}

/* Collects the executable PROGBITS sections (what objdump -d shows). */
static int load_elf(struct elf_file *e, const char *path)
{
	e->data = read_file(path, &e->size);
	if (e->size < EI_NIDENT || memcmp(e->data, ELFMAG, SELFMAG)) {
		fprintf(stderr, "%s: not an ELF file\n", path);
		return -1;
	}
	if (e->data[EI_CLASS] == ELFCLASS64) {
		const Elf64_Ehdr *h = (const void *)e->data;
		const Elf64_Shdr *sh = (const void *)(e->data + h->e_shoff);
		const char *names;

		e->mode = 64;
		if (h->e_shoff + (uint64_t)h->e_shnum * sizeof(*sh) > e->size)
			return -1;
		names = (const char *)e->data + sh[h->e_shstrndx].sh_offset;
		for (unsigned i = 0; i < h->e_shnum; i++)
			if ((sh[i].sh_flags & SHF_EXECINSTR) && sh[i].sh_type != SHT_NOBITS)
				add_section(e, names + sh[i].sh_name, sh[i].sh_addr,
					    sh[i].sh_offset, sh[i].sh_size);
	} else if (e->data[EI_CLASS] == ELFCLASS32) {
		const Elf32_Ehdr *h = (const void *)e->data;
		const Elf32_Shdr *sh = (const void *)(e->data + h->e_shoff);
		const char *names;

		e->mode = 32;
		if (h->e_shoff + (uint64_t)h->e_shnum * sizeof(*sh) > e->size)
			return -1;
		names = (const char *)e->data + sh[h->e_shstrndx].sh_offset;
		for (unsigned i = 0; i < h->e_shnum; i++)
			if ((sh[i].sh_flags & SHF_EXECINSTR) && sh[i].sh_type != SHT_NOBITS)
				add_section(e, names + sh[i].sh_name, sh[i].sh_addr,
					    sh[i].sh_offset, sh[i].sh_size);
	} else {
		fprintf(stderr, "%s: unknown ELF class\n", path);
		return -1;
	}
	return 0;
}

static const struct section *find_section(const struct elf_file *e, const char *name)
{
	for (unsigned i = 0; i < e->nsecs; i++)
		if (!strcmp(e->secs[i].name, name))
			return &e->secs[i];
	return NULL;
}

/* Quotes path for the shell: '...' with ' written as '\'' */
static void shell_quote(char *out, size_t cap, const char *path)
{
	size_t n = 0;

	out[n++] = '\'';
	for (const char *p = path; *p && n + 5 < cap; p++) {
		if (*p == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	out[n++] = '\'';
	out[n] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Parses "  addr:\tbb bb bb \tmnemonic ..." into address, byte count and the
 * text after the bytes.  Returns false for other lines.
 */
static bool parse_insn_line(char *line, uint64_t *addr, unsigned *nbytes, char **text)
{
	char *p = line, *tab;
	uint64_t a = 0;
	unsigned n = 0;

	while (*p == ' ')
		p++;
	if (hexval(*p) < 0)
		return false;
	while (hexval(*p) >= 0)
		a = a * 16 + (uint64_t)hexval(*p++);
	if (p[0] != ':' || p[1] != '\t')
		return false;
	p += 2;
	tab = strchr(p, '\t');
	for (; *p && p != tab; p++) {
		if (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
			n++;
			p++;
		}
	}
	*addr = a;
	*nbytes = n;
	*text = tab ? tab + 1 : p;
	return n > 0;
}

static bool skipped_text(const char *text)
{
	return strstr(text, "(bad)") || text[0] == '.' || !text[0] || text[0] == '\n';
}

int main(int argc, char **argv)
{
	static struct elf_file elf;
	const char *path, *objdump = "objdump";
	char quoted[4096], cmd[4200], line[8192];
	const struct section *sec = NULL;
	unsigned long compared = 0, mismatches = 0, skipped = 0, outside = 0, fwait_pairs = 0;
	bool quiet = false;
	int argi = 1;
	FILE *p;

	if (argi < argc && !strcmp(argv[argi], "-q")) {
		quiet = true;
		argi++;
	}
	if (argi >= argc) {
		fprintf(stderr, "usage: insn_check [-q] FILE.elf [OBJDUMP]\n");
		return 2;
	}
	path = argv[argi++];
	if (argi < argc)
		objdump = argv[argi];
	if (load_elf(&elf, path) < 0)
		return 2;

	shell_quote(quoted, sizeof(quoted), path);
	snprintf(cmd, sizeof(cmd), "%s -d -w %s", objdump, quoted);
	p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		return 2;
	}
	while (fgets(line, sizeof(line), p)) {
		uint64_t addr;
		unsigned nbytes;
		char *text;

		if (!strncmp(line, "Disassembly of section ", 23)) {
			char *name = line + 23, *end = strrchr(name, ':');

			if (end)
				*end = 0;
			sec = find_section(&elf, name);
			continue;
		}
		if (!parse_insn_line(line, &addr, &nbytes, &text))
			continue;
		if (skipped_text(text)) {
			skipped++;
			continue;
		}
		if (!sec || addr < sec->addr || addr - sec->addr >= sec->size) {
			outside++;
			continue;
		}

		uint64_t off = addr - sec->addr;
		struct insn in;
		int len = insn_decode(&in, elf.data + sec->offset + off, sec->size - off,
				      elf.mode == 64 ? INSN_MODE_64 : INSN_MODE_32);

		compared++;
		if (len == 1 && nbytes > 1 && elf.data[sec->offset + off] == 0x9b) {
			struct insn rest;
			int len2 = insn_decode(&rest, elf.data + sec->offset + off + 1,
					       sec->size - off - 1,
					       elf.mode == 64 ? INSN_MODE_64 : INSN_MODE_32);

			if (len2 > 0 && 1 + len2 == (int)nbytes) {
				fwait_pairs++;
				continue;
			}
		}
		if (len != (int)nbytes) {
			mismatches++;
			if (!quiet || mismatches <= MAX_SHOWN) {
				unsigned show = nbytes > 15 ? 15 : nbytes;

				printf("MISMATCH %s+%llx: objdump %u, insn_decode %d:",
				       sec->name, (unsigned long long)addr, nbytes, len);
				for (unsigned i = 0; i < show && off + i < sec->size; i++)
					printf(" %02x", elf.data[sec->offset + off + i]);
				printf("   %s", text);
			}
		}
	}
	if (pclose(p) != 0) {
		fprintf(stderr, "%s: objdump failed\n", path);
		return 2;
	}
	printf("%s: %d-bit, %lu instructions compared (%lu fwait pairs), %lu mismatches, "
	       "%lu skipped (bad/data)%s\n", path, elf.mode, compared, fwait_pairs, mismatches,
	       skipped, outside ? ", some outside sections" : "");
	/* One check per file: every instruction in it decodes to objdump's length. */
	printf("%d passed, %d failed\n", !mismatches && compared, mismatches || !compared);
	return mismatches || !compared ? 1 : 0;
}
