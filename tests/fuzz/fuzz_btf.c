/*
 * libFuzzer target: the BTF reader (lib/btf.c) on any blob. btf_open must
 * refuse what is malformed; on what it accepts, every query the kernel makes
 * (declarations, prototypes, layouts, member lookups, sizes, resolution)
 * must stay inside the blob and terminate. Seeds: both kernels' own BTF.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/btf.h"
#include "lib/string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_line(void *ctx, const char *s)
{
	(*(unsigned *)ctx) += (unsigned)strlen(s) > 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private, aligned copy: btf_open reads 4-byte records */
	uint32_t *copy = malloc(size + 4), *index;
	const char *why = NULL;
	struct btf b;
	char buf[256];

	memcpy(copy, data, size);
	if (btf_open(&b, copy, size, NULL, 0, &why)) {
		if (!why)
			__builtin_trap();	/* a refusal always says why */
		free(copy);
		return 0;
	}
	index = malloc((b.ntypes + 1) * sizeof(*index));
	if (btf_open(&b, copy, size, index, b.ntypes, &why))
		__builtin_trap();	/* accepted once, accepted with the index */
	for (uint32_t id = 1; id < b.ntypes && id < 4096; id++) {
		const struct btf_type *t = btf_type_by_id(&b, id);
		uint32_t sz, type, off, bits;
		unsigned lines = 0;

		if (!t)
			__builtin_trap();
		btf_decl(&b, id, "x", buf, sizeof(buf));
		btf_size(&b, id, &sz);
		btf_resolve(&b, id);
		if (btf_kind(t) == BTF_KIND_FUNC)
			btf_func_format(&b, id, buf, sizeof(buf));
		if (btf_layout(&b, id, count_line, &lines) == 0) {
			btf_member_list(&b, id, buf, sizeof(buf));
			btf_member_find(&b, id, "x", &type, &off, &bits);
		}
		btf_func_proto(&b, btf_str(&b, t->name_off), NULL);
	}
	free(index);
	free(copy);
	return 0;
}
