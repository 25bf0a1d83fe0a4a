/*
 * Probe-event arguments named through the kernel's BTF, turned into the
 * ordinary fetch representation (an argument slot or the stack, a chain of
 * dereferences, a type), so nothing past the parser knows BTF exists:
 *
 *   PARAM                   a parameter of the probed function, by name, typed
 *   PARAM->m.n->k ...       members through pointers (->) and nested structs (.)
 *   $argN->m ...            the same from the N-th parameter (counted from 0)
 *   $retval, $retval->m     r: events: typed by the function's return type
 *   $arg*                   every parameter, named and typed (as Linux does)
 *
 * Integers print signed or unsigned by their type, pointers in hex, char
 * arrays and char pointers as strings. Parameters of a static function are
 * refused on i386: gcc may give local functions register arguments
 * (regparm), and BTF only says what the C prototype is.
 */
#ifndef KERNEL_PROBE_BTF_H
#define KERNEL_PROBE_BTF_H
#include <stddef.h>
#include "kernel/trace/probe_events.h"

/* Is [s, end) a BTF-named fetch argument (else it is positional, handled as before)? */
int probe_btf_claims(const struct probe_event *ev, const char *s, const char *end, int typed);

/*
 * Fill a->fetch from the BTF name [s, end) on ev's function; unless typed
 * (the definition gave :TYPE) also a->kind and a->size; unless named, a->name.
 * 0, or -EINVAL with err saying why.
 */
int probe_btf_fetch(const struct probe_event *ev, const char *s, const char *end, struct pe_arg *a,
		    int typed, int named, char *err, size_t err_size);

/* $arg*: append one argument per parameter to ev. 0, or -EINVAL with err. */
int probe_btf_all_args(struct probe_event *ev, char *err, size_t err_size);

#endif
