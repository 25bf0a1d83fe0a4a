/*
 * The BTF reader (lib/btf.h). btf_open checks everything once, so the
 * queries after it trust the records: every length, string offset and type
 * id has been bounds-checked.
 */
#include "lib/btf.h"
#include "lib/format.h"
#include "lib/string.h"

#define MAX_DEPTH	32	/* typedef/pointer chains followed before giving up */

static const char *const kind_names[] = {
	"UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE",
	"CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
	"TYPE_TAG", "ENUM64",
};

const char *btf_kind_name(unsigned kind)
{
	return kind <= BTF_KIND_MAX ? kind_names[kind] : "UNKNOWN";
}

/* Bytes after the 12-byte record. */
static size_t extra_size(const struct btf_type *t)
{
	unsigned n = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_INT: return 4;
	case BTF_KIND_ARRAY: return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: return n * sizeof(struct btf_member);
	case BTF_KIND_ENUM: return n * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64: return n * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO: return n * sizeof(struct btf_param);
	case BTF_KIND_VAR: return 4;
	case BTF_KIND_DATASEC: return n * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG: return 4;
	}
	return 0;
}

static int has_type_ref(unsigned kind)
{
	switch (kind) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FUNC_PROTO: case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
		return 1;
	}
	return 0;
}

static int bad(const char **why, const char *what)
{
	if (why)
		*why = what;
	return -1;
}

/* Every name offset, type id and the record's own shape. */
static int check_record(const struct btf *b, const struct btf_type *t, const char **why)
{
	unsigned kind = btf_kind(t), n = btf_vlen(t);
	const uint32_t *x = btf_extra(t);

	if (t->name_off >= b->strs_len)
		return bad(why, "a type's name is outside the string table");
	if (has_type_ref(kind) && t->size_or_type >= b->ntypes)
		return bad(why, "a type refers to a type id that does not exist");
	switch (kind) {
	case BTF_KIND_INT:
		if ((*x & 0xff) > 128 || ((*x >> 16) & 0xff) + (*x & 0xff) > t->size_or_type * 8)
			return bad(why, "an INT's bits do not fit its size");
		break;
	case BTF_KIND_ARRAY:
		if (x[0] >= b->ntypes || x[1] >= b->ntypes)
			return bad(why, "an ARRAY refers to a type id that does not exist");
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_DATASEC: {
		size_t step = extra_size(t) / (n ? n : 1) / 4;

		for (unsigned i = 0; i < n; i++, x += step) {
			if (kind != BTF_KIND_DATASEC && x[0] >= b->strs_len)
				return bad(why, "a member's name is outside the string table");
			if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION ||
			     kind == BTF_KIND_FUNC_PROTO) && x[1] >= b->ntypes)
				return bad(why, "a member refers to a type id that does not exist");
			if (kind == BTF_KIND_DATASEC && x[0] >= b->ntypes)
				return bad(why, "a DATASEC refers to a type id that does not exist");
		}
		break;
	}
	}
	return 0;
}

int btf_open(struct btf *b, const void *data, size_t size, uint32_t *index, uint32_t cap,
	     const char **why)
{
	const struct btf_header *h = data;
	const uint8_t *base = data;
	uint32_t off, n;

	memset(b, 0, sizeof(*b));
	if (((uintptr_t)data & 3) || size < sizeof(*h))
		return bad(why, "too small or misaligned for a BTF header");
	if (h->magic != BTF_MAGIC)
		return bad(why, "bad magic (not BTF, or the other byte order)");
	if (h->version != 1)
		return bad(why, "unknown BTF version");
	if (h->hdr_len < sizeof(*h) || h->hdr_len > size || (h->hdr_len & 3))
		return bad(why, "bad header length");
	if ((h->type_off & 3) || h->type_off > size - h->hdr_len ||
	    h->type_len > size - h->hdr_len - h->type_off)
		return bad(why, "the type section is outside the blob");
	if (h->str_off > size - h->hdr_len || h->str_len > size - h->hdr_len - h->str_off)
		return bad(why, "the string table is outside the blob");
	b->types = base + h->hdr_len + h->type_off;
	b->types_len = h->type_len;
	b->strs = (const char *)base + h->hdr_len + h->str_off;
	b->strs_len = h->str_len;
	if (!b->strs_len || b->strs[0] || b->strs[b->strs_len - 1])
		return bad(why, "the string table must start and end with a NUL");

	/* Pass 1: record shapes and the count; pass 2: references, now that the count is known. */
	for (off = 0, n = 1; off < b->types_len; n++) {
		const struct btf_type *t = (const void *)(b->types + off);
		size_t len;

		if (b->types_len - off < sizeof(*t))
			return bad(why, "a type record runs past the type section");
		if (btf_kind(t) == BTF_KIND_UNKN || btf_kind(t) > BTF_KIND_MAX)
			return bad(why, "a type record of unknown kind");
		len = sizeof(*t) + extra_size(t);
		if (b->types_len - off < len)
			return bad(why, "a type record runs past the type section");
		if (index) {
			if (n >= cap)
				return bad(why, "more types than the index has room for");
			index[n] = off;
		}
		off += (uint32_t)len;
	}
	b->ntypes = n;
	if (index)
		index[0] = 0;
	for (off = 0; off < b->types_len;) {
		const struct btf_type *t = (const void *)(b->types + off);

		if (check_record(b, t, why))
			return -1;
		off += (uint32_t)(sizeof(*t) + extra_size(t));
	}
	b->index = index;
	b->ptr_size = sizeof(void *);
	for (off = 0; index && off < b->types_len;) {
		const struct btf_type *t = (const void *)(b->types + off);
		const char *name = btf_str(b, t->name_off);

		if (btf_kind(t) == BTF_KIND_INT && (!strcmp(name, "long int") ||
						    !strcmp(name, "long unsigned int"))) {
			b->ptr_size = t->size_or_type;
			break;
		}
		off += (uint32_t)(sizeof(*t) + extra_size(t));
	}
	return 0;
}

const struct btf_type *btf_type_by_id(const struct btf *b, uint32_t id)
{
	if (!id || id >= b->ntypes || !b->index)
		return NULL;
	return (const void *)(b->types + b->index[id]);
}

const char *btf_str(const struct btf *b, uint32_t off)
{
	return off < b->strs_len ? b->strs + off : "";
}

uint32_t btf_find(const struct btf *b, unsigned kind, const char *name)
{
	for (uint32_t id = 1; id < b->ntypes; id++) {
		const struct btf_type *t = btf_type_by_id(b, id);

		if (btf_kind(t) == kind && !strcmp(btf_str(b, t->name_off), name))
			return id;
	}
	return 0;
}

static int is_modifier(unsigned kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_CONST || kind == BTF_KIND_VOLATILE ||
	       kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

uint32_t btf_resolve(const struct btf *b, uint32_t id)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *t = btf_type_by_id(b, id);

		if (!t || !is_modifier(btf_kind(t)))
			return id;
		id = t->size_or_type;
	}
	return 0;
}

int btf_size(const struct btf *b, uint32_t id, uint32_t *size)
{
	uint32_t mult = 1;

	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *t = btf_type_by_id(b, btf_resolve(b, id));
		const struct btf_array *a;

		if (!t)
			return -1;
		switch (btf_kind(t)) {
		case BTF_KIND_INT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_STRUCT:
		case BTF_KIND_UNION: case BTF_KIND_FLOAT: case BTF_KIND_DATASEC:
			*size = mult * t->size_or_type;
			return 0;
		case BTF_KIND_PTR:
			*size = mult * b->ptr_size;
			return 0;
		case BTF_KIND_ARRAY:
			a = btf_extra(t);
			if (a->nelems && mult > UINT32_MAX / a->nelems)
				return -1;
			mult *= a->nelems;
			id = a->type;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

uint32_t btf_member_bit_offset(const struct btf_type *t, unsigned i)
{
	const struct btf_member *m = (const struct btf_member *)btf_extra(t) + i;

	return btf_kflag(t) ? m->offset & 0xffffff : m->offset;
}

uint32_t btf_member_bitfield_size(const struct btf_type *t, unsigned i)
{
	const struct btf_member *m = (const struct btf_member *)btf_extra(t) + i;

	return btf_kflag(t) ? m->offset >> 24 : 0;
}

static int is_record(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION);
}

static int member_find(const struct btf *b, uint32_t sid, const char *name, uint32_t *type,
		       uint32_t *bit_offset, uint32_t *bitfield_size, int depth)
{
	const struct btf_type *t = btf_type_by_id(b, btf_resolve(b, sid));
	const struct btf_member *m;

	if (!is_record(t) || depth > MAX_DEPTH)
		return -1;
	m = btf_extra(t);
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		const char *mn = btf_str(b, m[i].name_off);
		uint32_t off = btf_member_bit_offset(t, i);

		if (!strcmp(mn, name)) {
			*type = m[i].type;
			*bit_offset = off;
			*bitfield_size = btf_member_bitfield_size(t, i);
			return 0;
		}
		if (!mn[0] && !member_find(b, m[i].type, name, type, bit_offset, bitfield_size,
					   depth + 1)) {
			*bit_offset += off;
			return 0;
		}
	}
	return -1;
}

int btf_member_find(const struct btf *b, uint32_t sid, const char *name, uint32_t *type,
		    uint32_t *bit_offset, uint32_t *bitfield_size)
{
	return member_find(b, sid, name, type, bit_offset, bitfield_size, 0);
}

static void member_list(const struct btf *b, uint32_t sid, struct strbuf *sb, int depth)
{
	const struct btf_type *t = btf_type_by_id(b, btf_resolve(b, sid));
	const struct btf_member *m;

	if (!is_record(t) || depth > MAX_DEPTH)
		return;
	m = btf_extra(t);
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		const char *mn = btf_str(b, m[i].name_off);

		if (mn[0])
			strbuf_addf(sb, "%s%s", sb->len ? ", " : "", mn);
		else
			member_list(b, m[i].type, sb, depth + 1);
	}
}

void btf_member_list(const struct btf *b, uint32_t sid, char *buf, size_t size)
{
	struct strbuf sb = { buf, size, 0 };

	if (!size)
		return;
	buf[0] = 0;
	member_list(b, sid, &sb, 0);
}

/* ---- C spelling --------------------------------------------------------- */

/*
 * The declaration of `inner` (a declarator built so far: "s", "*s", "tag[8]")
 * of type id: the type's own words go in front, pointers wrap inner, arrays
 * and prototypes follow it.
 */
static void decl(const struct btf *b, uint32_t id, const char *inner, struct strbuf *out, int depth)
{
	const struct btf_type *t = btf_type_by_id(b, id);
	const char *sp = inner[0] ? " " : "";
	char next[160];

	if (depth > MAX_DEPTH) {
		strbuf_addf(out, "?");
		return;
	}
	if (!t) {
		strbuf_addf(out, "void%s%s", sp, inner);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		const struct btf_type *to = btf_type_by_id(b, t->size_or_type);
		int wrap = to && (btf_kind(to) == BTF_KIND_ARRAY || btf_kind(to) == BTF_KIND_FUNC_PROTO);

		snprintf(next, sizeof(next), wrap ? "(*%s)" : "*%s", inner);
		decl(b, t->size_or_type, next, out, depth + 1);
		return;
	}
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: {
		const struct btf_type *to = btf_type_by_id(b, t->size_or_type);
		const char *q = btf_kind(t) == BTF_KIND_CONST ? "const" :
				btf_kind(t) == BTF_KIND_VOLATILE ? "volatile" : "restrict";

		if (to && btf_kind(to) == BTF_KIND_PTR) {	/* char *const p */
			snprintf(next, sizeof(next), "%s%s%s", q, inner[0] ? " " : "", inner);
			decl(b, t->size_or_type, next, out, depth + 1);
		} else {
			strbuf_addf(out, "%s ", q);
			decl(b, t->size_or_type, inner, out, depth + 1);
		}
		return;
	}
	case BTF_KIND_TYPE_TAG:
		decl(b, t->size_or_type, inner, out, depth + 1);
		return;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_extra(t);

		snprintf(next, sizeof(next), "%s[%u]", inner, a->nelems);
		decl(b, a->type, next, out, depth + 1);
		return;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_extra(t);
		struct strbuf sb = { next, sizeof(next), 0 };

		next[0] = 0;
		strbuf_addf(&sb, "%s(", inner);
		for (unsigned i = 0; i < btf_vlen(t); i++) {
			char one[96];
			struct strbuf o = { one, sizeof(one), 0 };

			one[0] = 0;
			if (!p[i].type && i == btf_vlen(t) - 1)
				strbuf_addf(&o, "...");
			else
				decl(b, p[i].type, btf_str(b, p[i].name_off), &o, depth + 1);
			strbuf_addf(&sb, "%s%s", i ? ", " : "", one);
		}
		strbuf_addf(&sb, btf_vlen(t) ? ")" : "void)");
		decl(b, t->size_or_type, next, out, depth + 1);
		return;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD: {
		const char *tag = btf_kind(t) == BTF_KIND_UNION ||
				  (btf_kind(t) == BTF_KIND_FWD && btf_kflag(t)) ? "union" :
				  btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_FWD ? "struct" :
				  "enum";
		const char *n = btf_str(b, t->name_off);

		strbuf_addf(out, "%s %s%s%s", tag, n[0] ? n : "(anon)", sp, inner);
		return;
	}
	default:	/* INT, TYPEDEF, FLOAT: their name */
		strbuf_addf(out, "%s%s%s", btf_str(b, t->name_off), sp, inner);
		return;
	}
}

int btf_decl(const struct btf *b, uint32_t id, const char *name, char *buf, size_t size)
{
	struct strbuf sb = { buf, size, 0 };

	if (!size)
		return 0;
	buf[0] = 0;
	decl(b, id, name, &sb, 0);
	return (int)sb.len;
}

int btf_func_format(const struct btf *b, uint32_t func_id, char *buf, size_t size)
{
	const struct btf_type *f = btf_type_by_id(b, func_id);

	if (!f || btf_kind(f) != BTF_KIND_FUNC)
		return -1;
	return btf_decl(b, f->size_or_type, btf_str(b, f->name_off), buf, size);
}

uint32_t btf_func_proto(const struct btf *b, const char *name, uint32_t *func)
{
	uint32_t id = btf_find(b, BTF_KIND_FUNC, name);
	const struct btf_type *f = btf_type_by_id(b, id);

	if (!f)
		return 0;
	if (func)
		*func = id;
	return f->size_or_type;
}

/* ---- a struct's layout, like pahole ------------------------------------- */

static int layout(const struct btf *b, uint32_t id, const char *name, uint32_t base_bits, int depth,
		  int (*line)(void *ctx, const char *s), void *ctx)
{
	const struct btf_type *t = btf_type_by_id(b, id);
	const struct btf_member *m = btf_extra(t);
	char l[160], d[128];
	uint32_t size = 0;
	int r;

	snprintf(l, sizeof(l), "%*s%s %s{", depth * 8, "", btf_kind(t) == BTF_KIND_UNION ? "union" : "struct",
		 name);
	if ((r = line(ctx, l)))
		return r;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		uint32_t bit = base_bits + btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);
		const char *mn = btf_str(b, m[i].name_off);
		const struct btf_type *mt = btf_type_by_id(b, btf_resolve(b, m[i].type));

		if (!mn[0] && is_record(mt) && depth < 4) {	/* anonymous: inline, as pahole does */
			if ((r = layout(b, btf_resolve(b, m[i].type), "", bit, depth + 1, line, ctx)))
				return r;
			continue;
		}
		btf_decl(b, m[i].type, mn, d, sizeof(d));
		btf_size(b, m[i].type, &size);
		if (bits)
			snprintf(d + strlen(d), sizeof(d) - strlen(d), ":%u", bits);
		snprintf(d + strlen(d), sizeof(d) - strlen(d), ";");
		if (bits) {
			snprintf(l, sizeof(l), "%*s%-*s /* %5u:%2u %4u */", (depth + 1) * 8, "", 40 - depth * 8, d,
				 bit / 8 / size * size, bit - bit / 8 / size * size * 8, size);
		} else {
			snprintf(l, sizeof(l), "%*s%-*s /* %5u %5u */", (depth + 1) * 8, "", 40 - depth * 8, d,
				 bit / 8, size);
		}
		if ((r = line(ctx, l)))
			return r;
	}
	if (depth) {
		snprintf(l, sizeof(l), "%*s};", depth * 8, "");
		return line(ctx, l);
	}
	snprintf(l, sizeof(l), "%*s/* size: %u, members: %u */", 8, "", t->size_or_type, btf_vlen(t));
	if ((r = line(ctx, l)))
		return r;
	return line(ctx, "};");
}

int btf_layout(const struct btf *b, uint32_t id, int (*line)(void *ctx, const char *s), void *ctx)
{
	const struct btf_type *t = btf_type_by_id(b, btf_resolve(b, id));
	char name[80];

	if (!is_record(t))
		return -1;
	snprintf(name, sizeof(name), "%s ", btf_str(b, t->name_off));
	return layout(b, btf_resolve(b, id), name[0] == ' ' ? "" : name, 0, 0, line, ctx);
}
