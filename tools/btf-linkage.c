/*
 * btf-linkage BTF_FILE < nm-output
 *
 * pahole 1.24 marks every FUNC "static". Set each FUNC's linkage from the
 * symbol table instead: global when a T/W symbol of that name exists, else
 * static. The kernel needs it: on i386 gcc passes a static function's
 * arguments in registers (local regparm), which nothing in BTF shows.
 * Rewrites the file in place; checks it with lib/btf.c first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/btf.h"

#define MAX_SYMS 65536

static char *globals[MAX_SYMS];
static int nglobals;

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char line[512], name[400], type;
	static uint32_t index[1 << 20];
	unsigned long long addr;
	struct btf b;
	const char *why = "";
	FILE *f;
	long size;
	uint32_t *blob;

	if (argc != 2) {
		fprintf(stderr, "usage: btf-linkage BTF_FILE < nm-output\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin))
		if (sscanf(line, "%llx %c %399s", &addr, &type, name) == 3 && (type == 'T' || type == 'W') &&
		    nglobals < MAX_SYMS)
			globals[nglobals++] = strdup(name);
	qsort(globals, nglobals, sizeof(*globals), cmp);
	f = fopen(argv[1], "r+b");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	blob = malloc(size + 4);
	if (fread(blob, 1, size, f) != (size_t)size || btf_open(&b, blob, size, index, 1 << 20, &why)) {
		fprintf(stderr, "btf-linkage: %s: not usable BTF (%s)\n", argv[1], why);
		return 1;
	}
	for (uint32_t id = 1; id < b.ntypes; id++) {
		struct btf_type *t = (struct btf_type *)btf_type_by_id(&b, id);
		const char *n = btf_str(&b, t->name_off);
		uint32_t linkage;

		if (btf_kind(t) != BTF_KIND_FUNC)
			continue;
		linkage = bsearch(&n, globals, nglobals, sizeof(*globals), cmp) ? 1 : 0;
		t->info = (t->info & ~0xffffu) | linkage;
	}
	rewind(f);
	if (fwrite(blob, 1, size, f) != (size_t)size || fclose(f)) {
		fprintf(stderr, "btf-linkage: cannot write %s\n", argv[1]);
		return 1;
	}
	return 0;
}
