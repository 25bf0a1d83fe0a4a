/*
 * BTF, the compact type format Linux and pahole use: a header, type records,
 * a string table (see Linux's Documentation/bpf/btf.rst). This is the reader:
 * it checks a blob completely once, then answers what a probe needs: a
 * function's prototype, a struct's members with their (bit) offsets, what a
 * typedef/const/volatile stands for, and how to spell a type in C.
 * Freestanding; type ids are 1..ntypes-1 (0 is void).
 */
#ifndef LIB_BTF_H
#define LIB_BTF_H
#include <stddef.h>
#include <stdint.h>

#define BTF_MAGIC	0xeB9F

enum {
	BTF_KIND_UNKN, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_ARRAY, BTF_KIND_STRUCT,
	BTF_KIND_UNION, BTF_KIND_ENUM, BTF_KIND_FWD, BTF_KIND_TYPEDEF, BTF_KIND_VOLATILE,
	BTF_KIND_CONST, BTF_KIND_RESTRICT, BTF_KIND_FUNC, BTF_KIND_FUNC_PROTO, BTF_KIND_VAR,
	BTF_KIND_DATASEC, BTF_KIND_FLOAT, BTF_KIND_DECL_TAG, BTF_KIND_TYPE_TAG, BTF_KIND_ENUM64,
	BTF_KIND_MAX = BTF_KIND_ENUM64,
};

/* INT's encoding bits */
#define BTF_INT_SIGNED	1
#define BTF_INT_CHAR	2
#define BTF_INT_BOOL	4

struct btf_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t type_off, type_len;	/* from the end of the header */
	uint32_t str_off, str_len;
};

struct btf_type {
	uint32_t name_off;
	uint32_t info;		/* vlen 0-15, kind 24-28, kind_flag 31 */
	uint32_t size_or_type;	/* a size (INT ENUM STRUCT UNION DATASEC FLOAT) or a type id */
};

struct btf_array { uint32_t type, index_type, nelems; };
struct btf_member { uint32_t name_off, type, offset; };	/* kflag: bitfield size << 24 | bit offset */
struct btf_enum { uint32_t name_off; int32_t val; };
struct btf_enum64 { uint32_t name_off, lo32, hi32; };
struct btf_param { uint32_t name_off, type; };
struct btf_var_secinfo { uint32_t type, offset, size; };

struct btf {
	const uint8_t *types;	/* the type section */
	const char *strs;
	uint32_t types_len, strs_len;
	uint32_t ntypes;	/* ids 0 .. ntypes-1 */
	uint32_t ptr_size;	/* the size of 'long' (BTF does not say a pointer's) */
	const uint32_t *index;	/* index[id]: offset of type id in types (NULL: count only) */
};

static inline unsigned btf_kind(const struct btf_type *t) { return (t->info >> 24) & 0x1f; }
static inline unsigned btf_vlen(const struct btf_type *t) { return t->info & 0xffff; }
static inline int btf_kflag(const struct btf_type *t) { return t->info >> 31; }
/* The data after the record (INT's encoding word, the members, the parameters ...). */
static inline const void *btf_extra(const struct btf_type *t) { return t + 1; }

/*
 * Check the blob at data completely (header, every record, every string and
 * type reference) and count its types. With index (room for cap entries)
 * also fill the id -> record table. 0, or -1 with *why saying what is wrong.
 */
int btf_open(struct btf *b, const void *data, size_t size, uint32_t *index, uint32_t cap,
	     const char **why);

/* Record of id (NULL for void and out of range), a string (never NULL). */
const struct btf_type *btf_type_by_id(const struct btf *b, uint32_t id);
const char *btf_str(const struct btf *b, uint32_t off);
const char *btf_kind_name(unsigned kind);
/* The first type of that kind called name, or 0. */
uint32_t btf_find(const struct btf *b, unsigned kind, const char *name);
/* What id stands for past typedef, const, volatile, restrict and type tags. */
uint32_t btf_resolve(const struct btf *b, uint32_t id);
/* Size in bytes of a value of type id: 0 and *size, or -1 (void, function, ...). */
int btf_size(const struct btf *b, uint32_t id, uint32_t *size);

/* A member's bit offset and bitfield size (0: not a bitfield). */
uint32_t btf_member_bit_offset(const struct btf_type *t, unsigned i);
uint32_t btf_member_bitfield_size(const struct btf_type *t, unsigned i);
/*
 * The member called name of struct/union sid, looking into anonymous members:
 * 0 with its type, bit offset from the start of sid, and bitfield size; or -1.
 */
int btf_member_find(const struct btf *b, uint32_t sid, const char *name, uint32_t *type,
		    uint32_t *bit_offset, uint32_t *bitfield_size);
/* "a, b, c": the names of sid's members (anonymous ones opened), cut to fit. */
void btf_member_list(const struct btf *b, uint32_t sid, char *buf, size_t size);

/* The C declaration of a `name` of type id ("const char *s", "char tag[8]"); name may be "". */
int btf_decl(const struct btf *b, uint32_t id, const char *name, char *buf, size_t size);
/* A FUNC's prototype: "void *kmalloc(size_t size)". */
int btf_func_format(const struct btf *b, uint32_t func_id, char *buf, size_t size);
/* The FUNC_PROTO of function name, or 0; *func gets the FUNC's id when not NULL. */
uint32_t btf_func_proto(const struct btf *b, const char *name, uint32_t *func);

/*
 * Struct/union id's members, one line each with offset and size in bytes
 * (bitfields: byte:bit of their storage unit), anonymous members inline,
 * like pahole. line returns nonzero to stop (returned). -1: not a struct/union.
 */
int btf_layout(const struct btf *b, uint32_t id, int (*line)(void *ctx, const char *s), void *ctx);

#endif
