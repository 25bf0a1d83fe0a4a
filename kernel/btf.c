/*
 * The kernel's BTF (kernel/btf.h): lib/btf.c checks it; the id -> record
 * index is the only memory it needs.
 */
#include "kernel/btf.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/mm/mm.h"

extern const char __btf_start[], __btf_end[];

static struct btf kbtf;
static int kbtf_ok;

int kernel_btf_init(void)
{
	size_t size = (size_t)(__btf_end - __btf_start);
	const char *why = "empty";
	uint32_t *index;

	if (!size) {
		printk("btf: the image has no BTF (probe arguments by position only)\n");
		return -ENOENT;
	}
	if (btf_open(&kbtf, __btf_start, size, NULL, 0, &why))
		goto bad;
	index = kmalloc(kbtf.ntypes * sizeof(*index));
	if (!index) {
		printk("btf: no memory for the index of %u types\n", kbtf.ntypes);
		return -ENOMEM;
	}
	if (btf_open(&kbtf, __btf_start, size, index, kbtf.ntypes, &why)) {
		kfree(index);
		goto bad;
	}
	kbtf_ok = 1;
	printk("btf: %u types, %u bytes of strings, %zu bytes in all\n", kbtf.ntypes - 1,
	       kbtf.strs_len, size);
	return 0;
bad:
	printk("btf: refused (%s); probe arguments by position only\n", why);
	return -EINVAL;
}

const struct btf *kernel_btf(void)
{
	return kbtf_ok ? &kbtf : NULL;
}
