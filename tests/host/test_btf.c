/*
 * lib/btf.c on the BTF of both built kernels: every type, printed the way
 * `bpftool btf dump file` prints it, must match bpftool's own dump line for
 * line (kinds, names, sizes, member offsets, parameters), plus bad blobs that
 * must be refused and the C spellings the console shows.
 *
 *   test_btf [ELF...]   default: build/{i386,x86_64}/uniprobe.elf next to this binary
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/btf.h"

static int passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL: %s\n", what);
	}
}

/* The .BTF section of an ELF file (32 or 64 bit), copied to aligned memory. */
static void *read_btf(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *elf;
	long len;
	void *out = NULL;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	elf = malloc(len);
	if (fread(elf, 1, len, f) != (size_t)len) {
		fclose(f);
		free(elf);
		return NULL;
	}
	fclose(f);
#define FIND(Ehdr, Shdr) do { \
		Ehdr *eh = (Ehdr *)elf; \
		Shdr *sh = (Shdr *)(elf + eh->e_shoff); \
		const char *names = (const char *)elf + sh[eh->e_shstrndx].sh_offset; \
		for (int i = 0; i < eh->e_shnum; i++) \
			if (!strcmp(names + sh[i].sh_name, ".BTF")) { \
				*size = sh[i].sh_size; \
				out = malloc(*size + 4); \
				memcpy(out, elf + sh[i].sh_offset, *size); \
			} \
	} while (0)
	if (elf[EI_CLASS] == ELFCLASS64)
		FIND(Elf64_Ehdr, Elf64_Shdr);
	else
		FIND(Elf32_Ehdr, Elf32_Shdr);
	free(elf);
	return out;
}

/* One type as bpftool 7's plain dump prints it (tools/bpf/bpftool/btf.c). */
static void dump_type(const struct btf *b, uint32_t id, FILE *o)
{
	static const char *const linkage[] = { "static", "global", "extern" };
	const struct btf_type *t = btf_type_by_id(b, id);
	unsigned kind = btf_kind(t), n = btf_vlen(t);
	const char *name = btf_str(b, t->name_off);

	fprintf(o, "[%u] %s '%s'", id, btf_kind_name(kind), name[0] ? name : "(anon)");
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t v = *(const uint32_t *)btf_extra(t);
		unsigned enc = (v >> 24) & 0xf;

		fprintf(o, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size_or_type,
			(v >> 16) & 0xff, v & 0xff,
			enc == 0 ? "(none)" : enc == BTF_INT_SIGNED ? "SIGNED" :
			enc == BTF_INT_CHAR ? "CHAR" : enc == BTF_INT_BOOL ? "BOOL" : "UNKN");
		break;
	}
	case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF: case BTF_KIND_TYPE_TAG:
		fprintf(o, " type_id=%u", t->size_or_type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_extra(t);

		fprintf(o, " type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type, a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_extra(t);

		fprintf(o, " size=%u vlen=%u", t->size_or_type, n);
		for (unsigned i = 0; i < n; i++) {
			const char *mn = btf_str(b, m[i].name_off);

			fprintf(o, "\n\t'%s' type_id=%u bits_offset=%u", mn[0] ? mn : "(anon)", m[i].type,
				btf_member_bit_offset(t, i));
			if (btf_member_bitfield_size(t, i))
				fprintf(o, " bitfield_size=%u", btf_member_bitfield_size(t, i));
		}
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_extra(t);

		fprintf(o, " encoding=%s size=%u vlen=%u", btf_kflag(t) ? "SIGNED" : "UNSIGNED",
			t->size_or_type, n);
		for (unsigned i = 0; i < n; i++)
			fprintf(o, btf_kflag(t) ? "\n\t'%s' val=%d" : "\n\t'%s' val=%u",
				btf_str(b, e[i].name_off), e[i].val);
		break;
	}
	case BTF_KIND_FWD:
		fprintf(o, " fwd_kind=%s", btf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		fprintf(o, " type_id=%u linkage=%s", t->size_or_type, n < 3 ? linkage[n] : "(unknown)");
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_extra(t);

		fprintf(o, " ret_type_id=%u vlen=%u", t->size_or_type, n);
		for (unsigned i = 0; i < n; i++) {
			const char *pn = btf_str(b, p[i].name_off);

			fprintf(o, "\n\t'%s' type_id=%u", pn[0] ? pn : "(anon)", p[i].type);
		}
		break;
	}
	case BTF_KIND_FLOAT:
		fprintf(o, " size=%u", t->size_or_type);
		break;
	default:
		fprintf(o, " (kind %u: not printed by this test)", kind);
	}
	fprintf(o, "\n");
}

/* Split a dump into one string per type ("[N] ..." up to the next "[N]"). */
static int split(char *text, char **blocks, int max)
{
	int n = 0;

	for (char *p = text; *p; ) {
		char *next = strstr(p, "\n[");

		if (n < max)
			blocks[n++] = p;
		if (!next)
			break;
		next[1 - 1] = 0;	/* end this block at its newline */
		p = next + 1;
	}
	return n;
}

static char *slurp(FILE *f)
{
	size_t cap = 1 << 20, len = 0, r;
	char *s = malloc(cap);

	while ((r = fread(s + len, 1, cap - len - 1, f)) > 0) {
		len += r;
		if (len + 1 == cap)
			s = realloc(s, cap *= 2);
	}
	s[len] = 0;
	while (len && s[len - 1] == '\n')
		s[--len] = 0;
	return s;
}

static void compare_with_bpftool(const char *elf, const struct btf *b)
{
	char cmd[512], msg[512], *ours, *theirs, **ob, **tb;
	FILE *p, *mem;
	size_t memlen;
	int no, nt;

	snprintf(cmd, sizeof(cmd), "bpftool btf dump file '%s' 2>&1", elf);
	p = popen(cmd, "r");
	if (!p) {
		check(0, "bpftool runs");
		return;
	}
	theirs = slurp(p);
	check(pclose(p) == 0, "bpftool btf dump exits 0");
	mem = open_memstream(&ours, &memlen);
	for (uint32_t id = 1; id < b->ntypes; id++)
		dump_type(b, id, mem);
	fclose(mem);
	while (memlen && ours[memlen - 1] == '\n')
		ours[--memlen] = 0;
	ob = calloc(b->ntypes + 1, sizeof(char *));
	tb = calloc(b->ntypes + 1, sizeof(char *));
	no = split(ours, ob, b->ntypes);
	nt = split(theirs, tb, b->ntypes);
	snprintf(msg, sizeof(msg), "%s: %u types by us, %d by bpftool", elf, b->ntypes - 1, nt);
	check(no == (int)b->ntypes - 1 && nt == no, msg);
	for (int i = 0; i < no && i < nt; i++) {
		int same = !strcmp(ob[i], tb[i]);

		if (!same)
			printf("  ours:    %s\n  bpftool: %s\n", ob[i], tb[i]);
		snprintf(msg, sizeof(msg), "%s: type %d agrees with bpftool", elf, i + 1);
		check(same, msg);
	}
	printf("%s: %u types compared with bpftool\n", elf, b->ntypes - 1);
	free(ob);
	free(tb);
	free(ours);
	free(theirs);
}

/* A copy of the blob with one 32-bit word changed must be refused. */
static void refuse(const void *blob, size_t size, size_t word, uint32_t value, size_t cut,
		   const char *what)
{
	uint32_t *copy = malloc(size + 4), index[8192];
	struct btf b;
	const char *why = NULL;
	char msg[256];

	memcpy(copy, blob, size);
	if (word != (size_t)-1)
		copy[word] = value;
	snprintf(msg, sizeof(msg), "refused: %s", what);
	check(btf_open(&b, copy, size - cut, index, 8192, &why) == -1 && why, msg);
	if (why)
		printf("  (%s: %s)\n", what, why);
	free(copy);
}

static void bad_blobs(const void *blob, size_t size, const struct btf *good)
{
	const struct btf_header *h = blob;
	size_t types_word = h->hdr_len / 4 + h->type_off / 4;

	refuse(blob, size, 0, 0x12345678, 0, "bad magic");
	refuse(blob, size, (size_t)-1, 0, size - 10, "shorter than a header");
	refuse(blob, size, (size_t)-1, 0, h->str_len + 8, "cut inside the string table");
	refuse(blob, size, 5, h->str_len + 100, 0, "string table longer than the blob");
	refuse(blob, size, types_word, good->strs_len, 0, "a name outside the string table");
	refuse(blob, size, types_word + 1, 30u << 24, 0, "a record of unknown kind");
	/* the first PTR/TYPEDEF/CONST: point it past the last type */
	for (uint32_t id = 1; id < good->ntypes; id++) {
		const struct btf_type *t = btf_type_by_id(good, id);

		if (btf_kind(t) == BTF_KIND_PTR) {
			refuse(blob, size, ((const uint8_t *)t - (const uint8_t *)blob) / 4 + 2,
			       good->ntypes, 0, "a type id past the last type");
			break;
		}
	}
	{
		struct btf b;
		uint32_t index[4];
		const char *why;

		check(btf_open(&b, blob, size, index, 4, &why) == -1, "refused: index too small");
		check(btf_open(&b, blob, size, NULL, 0, &why) == 0 && b.ntypes == good->ntypes,
		      "count-only open agrees");
	}
}

static void expect_str(const char *got, const char *want, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: got '%s', want '%s'", what, got, want);
	check(!strcmp(got, want), msg);
}

static int keep_line(void *ctx, const char *s)
{
	strcat(ctx, s);
	strcat(ctx, "\n");
	return 0;
}

/* C spellings and lookups, on functions the kernel is known to have. */
static void spellings(const char *elf, const struct btf *b)
{
	char buf[256];
	uint32_t func, proto, sid, type, off, bits;

	proto = btf_func_proto(b, "kmalloc", &func);
	check(proto != 0, "kmalloc has a prototype");
	check(btf_vlen(btf_type_by_id(b, func)) == 1, "kmalloc's linkage is global (tools/btf-linkage)");
	{
		uint32_t st = 0;

		btf_func_proto(b, "pbtf_static", &st);
		check(st && btf_vlen(btf_type_by_id(b, st)) == 0, "pbtf_static's linkage is static");
	}
	btf_func_format(b, func, buf, sizeof(buf));
	expect_str(buf, "void *kmalloc(size_t size)", "kmalloc's prototype");
	btf_func_format(b, btf_find(b, BTF_KIND_FUNC, "pe_target"), buf, sizeof(buf));
	expect_str(buf, "long int pe_target(long int a, long int b, const char *s)", "pe_target");
	btf_func_format(b, btf_find(b, BTF_KIND_FUNC, "sym_count"), buf, sizeof(buf));
	expect_str(buf, "long unsigned int sym_count(void)", "sym_count");
	sid = btf_find(b, BTF_KIND_STRUCT, "pbtf_req");
	check(sid != 0, "struct pbtf_req is there");
	check(btf_member_find(b, sid, "name", &type, &off, &bits) == 0, "pbtf_req.name found");
	btf_decl(b, type, "name", buf, sizeof(buf));
	expect_str(buf, "const char *name", "pbtf_req.name");
	check(btf_member_find(b, sid, "in", &type, &off, &bits) == 0, "pbtf_req.in found");
	check(btf_member_find(b, type, "tag", &type, &off, &bits) == 0 && off == 16,
	      "pbtf_inner.tag found at bit 16");
	btf_decl(b, type, "tag", buf, sizeof(buf));
	expect_str(buf, "char tag[8]", "pbtf_inner.tag");
	check(btf_member_find(b, sid, "next", &type, &off, &bits) == 0, "pbtf_req.next found");
	btf_decl(b, type, "next", buf, sizeof(buf));
	expect_str(buf, "struct pbtf_inner *next", "pbtf_req.next");
	check(btf_member_find(b, sid, "mode", &type, &off, &bits) == 0 && bits == 5,
	      "pbtf_req.mode is a 5-bit bitfield");
	check(btf_member_find(b, sid, "anon_x", &type, &off, &bits) == 0,
	      "a member of an anonymous union is found");
	check(btf_member_find(b, sid, "nosuch", &type, &off, &bits) == -1, "no such member");
	btf_member_list(b, sid, buf, sizeof(buf));
	check(strstr(buf, "u8, s8, u16") == buf && strstr(buf, "anon_x") != NULL, "member list");
	{
		static char lay[8192];
		const char *want =
			"struct pbtf_inner {\n"
			"        uint16_t port;                           /*     0     2 */\n"
			"        char tag[8];                             /*     2     8 */\n"
			"        /* size: 10, members: 2 */\n"
			"};\n";

		lay[0] = 0;
		check(btf_layout(b, btf_find(b, BTF_KIND_STRUCT, "pbtf_inner"), keep_line, lay) == 0,
		      "layout of pbtf_inner");
		expect_str(lay, want, "layout of pbtf_inner");
		lay[0] = 0;
		btf_layout(b, sid, keep_line, lay);
		check(strstr(lay, "        unsigned int mode:5;                     /*    ") != NULL &&
		      strstr(lay, "        union {\n                int anon_x;") != NULL,
		      "layout of pbtf_req: a bitfield, an anonymous union inline");
		printf("%s", lay);
		check(btf_layout(b, btf_find(b, BTF_KIND_TYPEDEF, "size_t"), keep_line, lay) == -1,
		      "no layout for a non-struct");
	}
	type = btf_find(b, BTF_KIND_TYPEDEF, "size_t");
	check(btf_size(b, type, &off) == 0 && off == b->ptr_size, "size_t is a word");
	check(b->ptr_size == (strstr(elf, "i386") ? 4 : 8), "pointer size from 'long'");
}

int main(int argc, char **argv)
{
	char defaults[2][512];
	char *elfs[2] = { defaults[0], defaults[1] };
	char **list = argv + 1;
	int n = argc - 1;

	if (!n) {	/* build/host/test_btf -> build/<arch>/uniprobe.elf */
		char dir[400];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", argv[0]);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		snprintf(defaults[0], sizeof(defaults[0]), "%s/../i386/uniprobe.elf", slash ? dir : ".");
		snprintf(defaults[1], sizeof(defaults[1]), "%s/../x86_64/uniprobe.elf", slash ? dir : ".");
		list = elfs;
		n = 2;
	}
	for (int i = 0; i < n; i++) {
		size_t size = 0;
		void *blob = read_btf(list[i], &size);
		static uint32_t index[1 << 16];
		struct btf b;
		const char *why = "";
		char msg[600];

		snprintf(msg, sizeof(msg), "%s has a .BTF section", list[i]);
		check(blob != NULL, msg);
		if (!blob)
			continue;
		snprintf(msg, sizeof(msg), "%s: btf_open", list[i]);
		check(btf_open(&b, blob, size, index, 1 << 16, &why) == 0, msg);
		if (why[0])
			printf("  %s\n", why);
		compare_with_bpftool(list[i], &b);
		bad_blobs(blob, size, &b);
		spellings(list[i], &b);
		free(blob);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
