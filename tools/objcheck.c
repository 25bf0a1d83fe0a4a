/*
 * objcheck - uniprobe's objtool: checks the probe machinery's rules on a
 * linked kernel ELF with our own decoder (lib/insn.c).
 *
 *   objcheck [-v] -m MAP [-n NOTRACE_LIST] [-a ALLOW_LIST] KERNEL.elf
 *
 * MAP is the linker map (ld -Map): it says which object each piece of text
 * came from. NOTRACE_LIST is kernel/notrace.list (source paths); ALLOW_LIST
 * is tools/objcheck.allow. Every function (FUNC symbol with a size in an
 * executable section) is decoded from start to end, and:
 *
 *  decode     every instruction decodes;
 *  noprobe    no-probe code (.text.noprobe, i.e. __noprobe and asm in that
 *             section, and every function of a notrace.list file) makes no
 *             direct call or jump to a function that can be probed (outside
 *             .text.noprobe) or traced (has an fentry site), unless the pair
 *             is allowed; indirect calls/jumps are warnings unless allowed;
 *  mcount     every __mcount_loc entry is the first instruction of a
 *             function and is `call __fentry__` or the 5-byte nop; every
 *             function of an object compiled with -pg has one, unless
 *             allowed as notrace;
 *  frame      on every path from a function's entry, `push %bp; mov %sp,%bp`
 *             comes before any call (the fentry call excepted), unless the
 *             function declares itself frameless: FRAMELESS(name) from
 *             kernel/frameless.h puts its name in section .objcheck.frameless.
 *
 * Allow-list lines: "CALLER CALLEE # reason", CALLEE may be '*' (indirect),
 * "notrace FUNC # reason" or "decode FUNC # reason". A line without a reason
 * is an error; an entry nothing used is reported (stale).
 * Prints each finding as "objcheck: FUNC+0xOFF: rule: what", then
 * "N passed, N failed" (one per rule); exits 1 on any error.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"

#define MAXNAME 128

struct sec {
	char name[MAXNAME];
	uint64_t addr, off, size, flags;
	uint32_t type, link, entsize;
};

struct func {
	char name[MAXNAME];
	uint64_t addr, size;
	const uint8_t *code;
	const char *obj;		/* from the map, NULL if unknown */
	int noprobe_sec;		/* inside .text.noprobe */
	int notrace_file;		/* its object is in notrace.list */
	int fentry;			/* has an __mcount_loc entry */
	int traced_obj;			/* its object has fentry sites */
	int frameless;			/* declared in .objcheck.frameless */
};

/* One input section of executable text, from the map. */
struct piece {
	uint64_t addr, size;
	char sec[MAXNAME];
	char *obj;
};

struct allow {
	char a[MAXNAME], b[MAXNAME];
	int used, line;
};

static uint8_t *elf;
static size_t elf_size;
static int is64;
static struct sec *secs;
static unsigned nsecs;
static struct func *funcs;
static unsigned nfuncs;
static struct piece *pieces;
static unsigned npieces;
static struct allow *allows;
static unsigned nallows;
static char **notrace;
static unsigned nnotrace;
static uint64_t noprobe_start, noprobe_end, fentry_addr;
static int verbose;

/* Per-rule counts: functions checked and failed. */
enum { R_DECODE, R_NOPROBE, R_MCOUNT, R_FRAME, NRULES };
static const char *rule_name[NRULES] = { "decode", "noprobe", "mcount", "frame" };
static unsigned checked[NRULES], failed[NRULES], warnings;

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s);

	if (!p) {
		fprintf(stderr, "objcheck: out of memory\n");
		exit(2);
	}
	return p;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "objcheck: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static char *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		die("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xcalloc((size_t)n + 1, 1);
	if (n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("%s: read failed", path);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* ---- ELF ---- */

static const void *at(uint64_t off, uint64_t len)
{
	if (off > elf_size || len > elf_size - off)
		die("ELF offset %#llx+%#llx out of the file", (unsigned long long)off,
		    (unsigned long long)len);
	return elf + off;
}

static const char *str_at(uint64_t stroff, uint64_t strsize, uint64_t i)
{
	const char *s = at(stroff, strsize);

	if (i >= strsize || !memchr(s + i, 0, strsize - i))
		die("bad string index %llu", (unsigned long long)i);
	return s + i;
}

static void load_sections(void)
{
	uint64_t shoff;
	unsigned shnum, shstrndx;

	if (elf_size < EI_NIDENT || memcmp(elf, ELFMAG, SELFMAG))
		die("not an ELF file");
	is64 = elf[EI_CLASS] == ELFCLASS64;
	if (is64) {
		const Elf64_Ehdr *h = at(0, sizeof(Elf64_Ehdr));
		shoff = h->e_shoff, shnum = h->e_shnum, shstrndx = h->e_shstrndx;
	} else {
		const Elf32_Ehdr *h = at(0, sizeof(Elf32_Ehdr));
		shoff = h->e_shoff, shnum = h->e_shnum, shstrndx = h->e_shstrndx;
	}
	secs = xcalloc(shnum, sizeof(*secs));
	nsecs = shnum;
	for (unsigned i = 0; i < shnum; i++) {
		struct sec *s = &secs[i];
		uint32_t name;

		if (is64) {
			const Elf64_Shdr *h = at(shoff + i * sizeof(*h), sizeof(*h));
			name = h->sh_name, s->addr = h->sh_addr, s->off = h->sh_offset;
			s->size = h->sh_size, s->flags = h->sh_flags, s->type = h->sh_type;
			s->link = h->sh_link, s->entsize = (uint32_t)h->sh_entsize;
		} else {
			const Elf32_Shdr *h = at(shoff + i * sizeof(*h), sizeof(*h));
			name = h->sh_name, s->addr = h->sh_addr, s->off = h->sh_offset;
			s->size = h->sh_size, s->flags = h->sh_flags, s->type = h->sh_type;
			s->link = h->sh_link, s->entsize = h->sh_entsize;
		}
		(void)name;
	}
	if (shstrndx < shnum) {
		struct sec *ss = &secs[shstrndx];
		for (unsigned i = 0; i < shnum; i++) {
			uint32_t name;
			if (is64)
				name = ((const Elf64_Shdr *)at(shoff + i * sizeof(Elf64_Shdr), sizeof(Elf64_Shdr)))->sh_name;
			else
				name = ((const Elf32_Shdr *)at(shoff + i * sizeof(Elf32_Shdr), sizeof(Elf32_Shdr)))->sh_name;
			snprintf(secs[i].name, MAXNAME, "%s", str_at(ss->off, ss->size, name));
		}
	}
}

static const struct sec *sec_of_addr(uint64_t a)
{
	for (unsigned i = 0; i < nsecs; i++)
		if ((secs[i].flags & SHF_ALLOC) && secs[i].type != SHT_NOBITS &&
		    a >= secs[i].addr && a < secs[i].addr + secs[i].size)
			return &secs[i];
	return NULL;
}

/* File bytes at virtual address a, n of them, or NULL. */
static const uint8_t *bytes_at(uint64_t a, uint64_t n)
{
	const struct sec *s = sec_of_addr(a);

	if (!s || n > s->addr + s->size - a)
		return NULL;
	return at(s->off + (a - s->addr), n);
}

static int cmp_func(const void *x, const void *y)
{
	const struct func *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Symbols: the functions, and the few named addresses the rules need. */
static void load_symbols(void)
{
	uint64_t start_mcount = 0, stop_mcount = 0;

	for (unsigned si = 0; si < nsecs; si++) {
		const struct sec *s = &secs[si], *strs;
		size_t esz = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
		uint64_t n;

		if (s->type != SHT_SYMTAB || s->link >= nsecs)
			continue;
		strs = &secs[s->link];
		n = s->size / esz;
		funcs = xcalloc(n, sizeof(*funcs));
		for (uint64_t i = 0; i < n; i++) {
			uint64_t value, size;
			unsigned type, shndx;
			uint32_t name;
			const char *nm;

			if (is64) {
				const Elf64_Sym *y = at(s->off + i * esz, esz);
				value = y->st_value, size = y->st_size, type = ELF64_ST_TYPE(y->st_info);
				shndx = y->st_shndx, name = y->st_name;
			} else {
				const Elf32_Sym *y = at(s->off + i * esz, esz);
				value = y->st_value, size = y->st_size, type = ELF32_ST_TYPE(y->st_info);
				shndx = y->st_shndx, name = y->st_name;
			}
			nm = str_at(strs->off, strs->size, name);
			if (!strcmp(nm, "__noprobe_start"))
				noprobe_start = value;
			else if (!strcmp(nm, "__noprobe_end"))
				noprobe_end = value;
			else if (!strcmp(nm, "__fentry__"))
				fentry_addr = value;
			else if (!strcmp(nm, "__start_mcount_loc"))
				start_mcount = value;
			else if (!strcmp(nm, "__stop_mcount_loc"))
				stop_mcount = value;
			if (type != STT_FUNC || !size || shndx == SHN_UNDEF || shndx >= nsecs ||
			    !(secs[shndx].flags & SHF_EXECINSTR))
				continue;
			struct func *f = &funcs[nfuncs];
			snprintf(f->name, MAXNAME, "%s", nm);
			f->addr = value;
			f->size = size;
			f->code = bytes_at(value, size);
			if (!f->code)
				die("%s: bytes not in the file", nm);
			nfuncs++;
		}
		break;
	}
	qsort(funcs, nfuncs, sizeof(*funcs), cmp_func);
	/* Aliases (same address): keep one. */
	unsigned k = 0;
	for (unsigned i = 0; i < nfuncs; i++)
		if (!k || funcs[k - 1].addr != funcs[i].addr)
			funcs[k++] = funcs[i];
	nfuncs = k;

	/* The mcount location table: pointers to call sites. */
	if (start_mcount && stop_mcount > start_mcount) {
		unsigned psz = is64 ? 8 : 4;
		const uint8_t *p = bytes_at(start_mcount, stop_mcount - start_mcount);
		uint64_t n = (stop_mcount - start_mcount) / psz;

		if (!p)
			die("__mcount_loc not in the file");
		for (uint64_t i = 0; i < n; i++) {
			uint64_t site = 0;
			memcpy(&site, p + i * psz, psz);
			checked[R_MCOUNT]++;
			struct func *f = NULL;
			for (unsigned j = 0; j < nfuncs; j++)
				if (site >= funcs[j].addr && site < funcs[j].addr + funcs[j].size) {
					f = &funcs[j];
					break;
				}
			if (!f) {
				printf("objcheck: mcount entry %#llx: mcount: not inside any function\n",
				       (unsigned long long)site);
				failed[R_MCOUNT]++;
				continue;
			}
			if (site != f->addr) {
				printf("objcheck: %s+%#llx: mcount: entry is not the function's first instruction\n",
				       f->name, (unsigned long long)(site - f->addr));
				failed[R_MCOUNT]++;
				continue;
			}
			const uint8_t *c = f->code;
			static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
			int32_t rel;
			memcpy(&rel, c + 1, 4);
			int is_call = f->size >= 5 && c[0] == 0xe8 && fentry_addr &&
				      (uint32_t)(site + 5 + (uint64_t)(int64_t)rel) == (uint32_t)fentry_addr;
			if (!is_call && !(f->size >= 5 && !memcmp(c, nop5, 5))) {
				printf("objcheck: %s+0: mcount: entry is not `call __fentry__` or a 5-byte nop "
				       "(%02x %02x %02x %02x %02x)\n", f->name, c[0], c[1], c[2], c[3], c[4]);
				failed[R_MCOUNT]++;
				continue;
			}
			f->fentry = 1;
		}
	}
}

/* Names listed in the non-alloc section .objcheck.frameless. */
static void load_frameless(void)
{
	for (unsigned i = 0; i < nsecs; i++) {
		if (strcmp(secs[i].name, ".objcheck.frameless"))
			continue;
		const char *p = at(secs[i].off, secs[i].size), *end = p + secs[i].size;
		while (p < end) {
			size_t len = strnlen(p, (size_t)(end - p));
			for (unsigned j = 0; j < nfuncs; j++)
				if (!strcmp(funcs[j].name, p))
					funcs[j].frameless = 1;
			p += len + 1;
		}
	}
}

/* ---- the map and the lists ---- */

static int hexnum(const char *s, uint64_t *v, const char **end)
{
	char *e;

	if (s[0] != '0' || s[1] != 'x')
		return 0;
	*v = strtoull(s, &e, 16);
	*end = e;
	return 1;
}

/*
 * Input sections of executable output sections. ld writes either
 *   " .text.noprobe  0xADDR  0xSIZE obj.o" or the name on its own line and
 * "                0xADDR  0xSIZE obj.o" on the next.
 */
static void load_map(const char *path)
{
	size_t size, cap = 256;
	char *text = read_all(path, &size), *save = NULL, *line;
	char name[MAXNAME] = "";

	pieces = xcalloc(cap, sizeof(*pieces));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line, *e;
		uint64_t addr, sz;
		char obj[4096];

		if (line[0] == ' ' && line[1] == '.') {
			sscanf(line + 1, "%127s", name);
			p = line + 1 + strlen(name);
		} else if (line[0] != ' ') {
			name[0] = 0;
			continue;
		}
		while (*p == ' ')
			p++;
		if (!name[0] || strncmp(name, ".text", 5) || !hexnum(p, &addr, &e))
			continue;
		while (*e == ' ')
			e++;
		if (!hexnum(e, &sz, &p) || sscanf(p, " %4095s", obj) != 1 || !sz)
			continue;
		if (npieces == cap)
			pieces = realloc(pieces, (cap *= 2) * sizeof(*pieces));
		if (!pieces)
			die("out of memory");
		pieces[npieces].addr = addr;
		pieces[npieces].size = sz;
		snprintf(pieces[npieces].sec, MAXNAME, "%s", name);
		pieces[npieces].obj = strdup(obj);
		npieces++;
		name[0] = 0;
	}
	free(text);
}

/* Non-empty lines of a list file without comments, each a strdup. */
static char **load_list(const char *path, unsigned *n, int **lines, char ***reasons)
{
	size_t size, cap = 64;
	char *text = read_all(path, &size), *p = text;
	char **out = xcalloc(cap, sizeof(*out));
	int ln = 0;

	*n = 0;
	if (lines)
		*lines = xcalloc(cap, sizeof(int));
	if (reasons)
		*reasons = xcalloc(cap, sizeof(char *));
	while (*p) {
		char *nl = strchr(p, '\n'), *hash, *s, *e;
		if (nl)
			*nl = 0;
		ln++;
		hash = strchr(p, '#');
		if (hash)
			*hash = 0;
		for (s = p; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
			;
		*e = 0;
		if (*s) {
			if (*n + 1 >= cap) {
				cap *= 2;
				out = realloc(out, cap * sizeof(*out));
				if (lines)
					*lines = realloc(*lines, cap * sizeof(int));
				if (reasons)
					*reasons = realloc(*reasons, cap * sizeof(char *));
			}
			if (lines)
				(*lines)[*n] = ln;
			if (reasons)
				(*reasons)[*n] = hash && hash[1] ? strdup(hash + 1) : NULL;
			out[(*n)++] = strdup(s);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	return out;
}

static void load_allow(const char *path)
{
	int *lines;
	char **reasons;
	unsigned n;
	char **l = load_list(path, &n, &lines, &reasons);

	allows = xcalloc(n, sizeof(*allows));
	for (unsigned i = 0; i < n; i++) {
		struct allow *a = &allows[nallows++];
		const char *r = reasons[i];

		while (r && (*r == ' ' || *r == '\t'))
			r++;
		if (!r || !*r)
			die("%s:%d: allow-list entry without a '# reason'", path, lines[i]);
		if (sscanf(l[i], "%127s %127s", a->a, a->b) != 2)
			die("%s:%d: want 'CALLER CALLEE # reason'", path, lines[i]);
		a->line = lines[i];
	}
}

/* Names equal up to a compiler clone's suffix (walk.constprop.0 is walk). */
static int same_name(const char *list, const char *sym)
{
	size_t n = strcspn(sym, ".");

	return !strcmp(list, sym) || (strlen(list) == n && !strncmp(list, sym, n));
}

static int allowed(const char *a, const char *b)
{
	for (unsigned i = 0; i < nallows; i++)
		if (same_name(allows[i].a, a) && same_name(allows[i].b, b)) {
			allows[i].used = 1;
			return 1;
		}
	return 0;
}

/* "build/x86_64/kernel/traps.o" is the object of "kernel/traps.c". */
static int obj_is_notrace(const char *obj)
{
	size_t ol = strlen(obj);

	for (unsigned i = 0; i < nnotrace; i++) {
		const char *src = notrace[i];
		size_t sl = strlen(src);
		if (sl < 2 || src[sl - 2] != '.' || ol < sl)
			continue;
		if (strncmp(obj + ol - sl, src, sl - 1) || obj[ol - 1] != 'o')
			continue;
		if (ol == sl || obj[ol - sl - 1] == '/')
			return 1;
	}
	return 0;
}

static void classify(void)
{
	for (unsigned i = 0; i < nfuncs; i++) {
		struct func *f = &funcs[i];
		f->noprobe_sec = f->addr >= noprobe_start && f->addr < noprobe_end;
		for (unsigned j = 0; j < npieces; j++)
			if (f->addr >= pieces[j].addr && f->addr < pieces[j].addr + pieces[j].size) {
				f->obj = pieces[j].obj;
				break;
			}
		f->notrace_file = f->obj && obj_is_notrace(f->obj);
	}
	/* An object is traced when any of its functions has an fentry site. */
	for (unsigned i = 0; i < nfuncs; i++) {
		if (!funcs[i].fentry || !funcs[i].obj)
			continue;
		for (unsigned j = 0; j < nfuncs; j++)
			if (funcs[j].obj && !strcmp(funcs[j].obj, funcs[i].obj))
				funcs[j].traced_obj = 1;
	}
}

static struct func *func_at(uint64_t a)
{
	unsigned lo = 0, hi = nfuncs;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (funcs[mid].addr + funcs[mid].size <= a)
			lo = mid + 1;
		else if (funcs[mid].addr > a)
			hi = mid;
		else
			return &funcs[mid];
	}
	return NULL;
}

/* ---- the rules, per function ---- */

#define REPORT(r, f, off, ...) do { \
	printf("objcheck: %s+%#llx: %s: ", (f)->name, (unsigned long long)(off), rule_name[r]); \
	printf(__VA_ARGS__); printf("\n"); bad[r] = 1; } while (0)

static int is_fentry_call(const struct func *f, const struct insn *in, uint64_t off)
{
	return off == 0 && in->branch == INSN_BR_CALL && fentry_addr &&
	       insn_branch_target(in, f->addr) == fentry_addr;
}

/*
 * A switch's jump table: jmp *TABLE(,%reg,SCALE) (no base register) whose
 * first entry points back into the function. Not a call to anything.
 */
static int jump_table(const struct func *f, const struct insn *in)
{
	unsigned psz = is64 ? 8 : 4;
	uint64_t t = 0;
	const uint8_t *p;

	if (!insn_is_indirect_jmp(in) || in->mod != 0 || !in->has_sib || in->base != 5 ||
	    (in->rex & 1) || in->scale != (psz == 8 ? 3 : 2))
		return 0;
	p = bytes_at(is64 ? (uint64_t)(int64_t)in->disp : (uint32_t)in->disp, psz);
	if (!p)
		return 0;
	memcpy(&t, p, psz);
	return t >= f->addr && t < f->addr + f->size;
}

/*
 * The frame rule along every path from the entry: states 0 (nothing), 1
 * (push %bp done), 2 (mov %sp,%bp done: the frame the unwinder follows);
 * pop %bp and leave go back to 0. A call in a state other than 2 fails (the
 * fentry call at offset 0 excepted). Paths end at ret, a jump out of the
 * function, an indirect jump, int3 padding and trapping instructions.
 */
static int frame_ok(const struct func *f)
{
	enum insn_mode mode = is64 ? INSN_MODE_64 : INSN_MODE_32;
	uint8_t *seen = xcalloc(f->size, 1);	/* per offset: a bit per state reached */
	struct { uint64_t off; int state; } *work = xcalloc(f->size * 3 + 1, sizeof(*work));
	unsigned nwork = 0;
	int ok = 1;

	work[nwork].off = 0, work[nwork++].state = 0;
	while (nwork && ok) {
		uint64_t off = work[--nwork].off;
		int state = work[nwork].state;

		while (off < f->size && !(seen[off] & (1 << state))) {
			struct insn in;
			int len = insn_decode(&in, f->code + off, f->size - off, mode);
			uint8_t op = in.opcode;
			int onebyte = len > 0 && in.map == INSN_MAP_1BYTE && !in.vex_kind;

			if (len < 0)
				break;
			seen[off] |= (uint8_t)(1 << state);
			if (onebyte && op == 0x55 && !(in.rex & 1) && state == 0)
				state = 1;
			else if (onebyte && state == 1 && in.mod == 3 && !(in.rex & 5) &&
				 ((op == 0x89 && in.reg == 4 && in.rm == 5) ||
				  (op == 0x8b && in.reg == 5 && in.rm == 4)))
				state = 2;
			else if (onebyte && ((op == 0x5d && !(in.rex & 1)) || op == 0xc9))
				state = 0;
			if ((in.branch == INSN_BR_CALL || insn_is_indirect_call(&in)) &&
			    !is_fentry_call(f, &in, off) && state != 2) {
				printf("objcheck: %s+%#llx: frame: call before the frame pointer is set up "
				       "(push %%bp; mov %%sp,%%bp) on some path, and not declared frameless\n",
				       f->name, (unsigned long long)off);
				ok = 0;
				break;
			}
			if (insn_is_ret(&in) || insn_is_iret(&in) || insn_is_indirect_jmp(&in) ||
			    insn_is_trap(&in) || (onebyte && op == 0xcc) || insn_is_far_jmp(&in))
				break;
			if (insn_is_rel_branch(&in) && in.branch != INSN_BR_CALL) {
				uint64_t t = insn_branch_target(&in, f->addr + off) - f->addr;
				int cond = in.branch != INSN_BR_JMP8 && in.branch != INSN_BR_JMP32;

				if (t < f->size && nwork < f->size * 3)
					work[nwork].off = t, work[nwork++].state = state;
				if (!cond)
					break;
			}
			off += (uint64_t)len;
		}
	}
	free(seen);
	free(work);
	return ok;
}

static void check_func(struct func *f)
{
	enum insn_mode mode = is64 ? INSN_MODE_64 : INSN_MODE_32;
	int noprobe = f->noprobe_sec || f->notrace_file;
	int bad[NRULES] = { 0 };
	uint64_t off = 0;

	while (off < f->size) {
		struct insn in;
		int len = insn_decode(&in, f->code + off, f->size - off, mode);

		if (len < 0) {
			if (!allowed("decode", f->name))
				REPORT(R_DECODE, f, off, "cannot decode (%s): %02x %02x %02x",
				       len == INSN_ERR_TRUNCATED ? "runs past the end" : "invalid",
				       f->code[off], off + 1 < f->size ? f->code[off + 1] : 0,
				       off + 2 < f->size ? f->code[off + 2] : 0);
			break;
		}
		if (is_fentry_call(f, &in, off)) {
			off += (uint64_t)len;
			continue;
		}
		if (noprobe && in.branch != INSN_BR_NONE && in.branch != INSN_BR_XBEGIN) {
			uint64_t t = insn_branch_target(&in, f->addr + off);
			struct func *g = func_at(t);
			/* A notrace function outside .text.noprobe can itself be
			 * probed: for it only traced callees matter. */
			int bad_callee = g && g != f &&
					 (g->fentry || (f->noprobe_sec && !g->noprobe_sec));
			if (bad_callee && !allowed(f->name, g->name) && !allowed(f->name, "*"))
				REPORT(R_NOPROBE, f, off, "%s %s, which can be %s; no-probe code (%s) must not",
				       in.branch == INSN_BR_CALL ? "calls" : "jumps to", g->name,
				       g->fentry ? "traced" : "probed",
				       f->noprobe_sec ? ".text.noprobe" : "notrace file");
		}
		if (noprobe && (insn_is_indirect_call(&in) || insn_is_indirect_jmp(&in)) &&
		    !jump_table(f, &in) && !allowed(f->name, "indirect")) {
			printf("objcheck: %s+%#llx: warning: indirect %s from no-probe code "
			       "(allow it in the allow-list with a reason)\n", f->name,
			       (unsigned long long)off, insn_is_indirect_call(&in) ? "call" : "jump");
			warnings++;
		}
		off += (uint64_t)len;
	}

	if (!bad[R_DECODE] && !f->frameless)
		bad[R_FRAME] = !frame_ok(f);

	/*
	 * mcount: a function of a traced object must have its fentry site
	 * (gcc's split-off cold part, NAME.cold, is entered only from NAME).
	 */
	if (f->traced_obj && !f->fentry && !f->noprobe_sec && !strstr(f->name, ".cold") &&
	    !allowed("notrace", f->name)) {
		REPORT(R_MCOUNT, f, 0, "in a traced object (%s) but has no __mcount_loc entry", f->obj);
	} else if (!f->fentry && f->size >= 5 && f->code[0] == 0xe8) {
		struct insn in;
		if (insn_decode(&in, f->code, f->size, mode) == 5 && is_fentry_call(f, &in, 0))
			REPORT(R_MCOUNT, f, 0, "calls __fentry__ but has no __mcount_loc entry");
	}
	for (int r = 0; r < NRULES; r++) {
		if (r != R_MCOUNT)
			checked[r]++;
		failed[r] += (unsigned)bad[r];
	}
	if (verbose)
		printf("  %-40s %s%s%s%s%s\n", f->name, f->obj ? f->obj : "?",
		       f->noprobe_sec ? " noprobe" : "", f->notrace_file ? " notrace" : "",
		       f->fentry ? " fentry" : "", f->frameless ? " frameless" : "");
}

int main(int argc, char **argv)
{
	const char *map = NULL, *notrace_path = NULL, *allow_path = NULL, *path = NULL;
	unsigned nfail = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "-m") && i + 1 < argc)
			map = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			notrace_path = argv[++i];
		else if (!strcmp(argv[i], "-a") && i + 1 < argc)
			allow_path = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			die("usage: objcheck [-v] -m MAP [-n NOTRACE_LIST] [-a ALLOW_LIST] KERNEL.elf");
	}
	if (!path || !map)
		die("usage: objcheck [-v] -m MAP [-n NOTRACE_LIST] [-a ALLOW_LIST] KERNEL.elf");
	elf = (uint8_t *)read_all(path, &elf_size);
	load_sections();
	load_symbols();
	load_frameless();
	load_map(map);
	if (notrace_path)
		notrace = load_list(notrace_path, &nnotrace, NULL, NULL);
	if (allow_path)
		load_allow(allow_path);
	if (!nfuncs)
		die("%s: no functions", path);
	classify();
	for (unsigned i = 0; i < nfuncs; i++)
		check_func(&funcs[i]);
	for (unsigned i = 0; i < nallows; i++)
		if (!allows[i].used)
			printf("objcheck: %s:%d: warning: allow-list entry '%s %s' matched nothing\n",
			       allow_path, allows[i].line, allows[i].a, allows[i].b);
	for (int r = 0; r < NRULES; r++) {
		printf("objcheck: %-8s %u checked, %u failed\n", rule_name[r], checked[r], failed[r]);
		nfail += failed[r];
	}
	printf("objcheck %s: %u functions, %u warnings, %s\n", path, nfuncs, warnings,
	       nfail ? "FAILED" : "ok");
	return nfail ? 1 : 0;
}
