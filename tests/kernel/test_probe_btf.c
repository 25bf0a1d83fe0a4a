/*
 * Probe-event arguments by BTF name: parameters of every integer width, a
 * 64-bit value on i386's stack, member paths through pointers and nested
 * structs, strings (char arrays and char pointers), $arg*, typed $retval,
 * and every error, which must register nothing. Values are checked on the
 * event lines of real hits, as a reader of the trace buffer prints them.
 */
#include <stdint.h>
#include "kernel/btf.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mm/mm.h"
#include "kernel/trace/probe_events.h"
#include "kernel/trace/trace.h"
#include "lib/format.h"
#include "lib/string.h"

struct pbtf_inner {
	uint16_t port;
	char tag[8];
};

struct pbtf_req {
	uint8_t u8;
	int8_t s8;
	uint16_t u16;
	int16_t s16;
	uint32_t u32;
	int32_t s32;
	uint64_t u64;
	int64_t s64;
	const char *name;
	struct pbtf_inner in;
	struct pbtf_inner *next;
	unsigned flags : 3, mode : 5;
	union {
		int anon_x;
		unsigned anon_y;
	};
};

long pbtf_ints(uint8_t a, int8_t b, uint16_t c, int16_t d, uint32_t e, int64_t f, int32_t g);
long pbtf_req_fn(struct pbtf_req *req, const char *s, int n);
struct pbtf_req *pbtf_ret(int n);

volatile long pbtf_sink;

/* What the events probe: noinline and called through volatile pointers, so no clone is called. */
__attribute__((noinline, noclone)) long pbtf_ints(uint8_t a, int8_t b, uint16_t c, int16_t d,
						  uint32_t e, int64_t f, int32_t g)
{
	pbtf_sink += a;
	return (long)(a + b + c + d + e + f + g);
}

__attribute__((noinline, noclone)) long pbtf_req_fn(struct pbtf_req *req, const char *s, int n)
{
	pbtf_sink += n;
	return (req ? req->u8 : 0) + (s ? s[0] : 0) + n;
}

static struct pbtf_inner inner2 = { 0x1234, "nxt" };
static struct pbtf_req req = {
	.u8 = 250, .s8 = -100, .u16 = 65000, .s16 = -1234, .u32 = 4000000000u, .s32 = -2000000000,
	.u64 = 18000000000000000000ull, .s64 = -9000000000000000000ll, .name = "alpha",
	.in = { 8080, "inner" }, .next = &inner2, .flags = 5, .mode = 17, .anon_x = -77,
};

__attribute__((noinline, noclone)) struct pbtf_req *pbtf_ret(int n)
{
	pbtf_sink += n;
	return &req;
}

/* A static function: on i386 its arguments may be in registers (local regparm). */
static __attribute__((noinline, noclone, used)) long pbtf_static(long x, long y)
{
	pbtf_sink += x;
	return x + y;
}

static long (*volatile call_ints)(uint8_t, int8_t, uint16_t, int16_t, uint32_t, int64_t, int32_t) = pbtf_ints;
static long (*volatile call_req)(struct pbtf_req *, const char *, int) = pbtf_req_fn;
static struct pbtf_req *(*volatile call_ret)(int) = pbtf_ret;

/* ---- what a reader of the trace buffer prints ----------------------------- */

static char out[1024];
static size_t out_len;

static void keep_line(const char *line, void *ctx)
{
	(void)ctx;
	for (const char *c = line; *c && out_len + 2 < sizeof(out); c++)
		out[out_len++] = *c;
	if (out_len + 1 < sizeof(out))
		out[out_len++] = '\n';
	out[out_len] = 0;
}

/* Events go into the trace buffer: start empty, then read what the hits recorded. */
static void keep_start(void)
{
	trace_reset();
	out_len = 0;
	out[0] = 0;
}

static void keep_stop(void)
{
	trace_print_lines(keep_line, NULL, NULL);
}

static void expect_in(struct ktest *t, const char *what)
{
	if (!KEXPECT(t, strstr(out, what)))
		ktest_log(t, "expected '%s' in: %s", what, out);
}

/* The build always links BTF: without it every case below fails, here first. */
static void test_loaded(struct ktest *t)
{
	const struct btf *b = kernel_btf();

	if (!KEXPECT(t, b != NULL))
		return;
	KEXPECT(t, b->ntypes > 100);
	KEXPECT(t, btf_func_proto(b, "kmalloc", NULL) != 0);
	KEXPECT_EQ(t, b->ptr_size, sizeof(void *));
}

static struct probe_event ev;

/* ---- parsing -------------------------------------------------------------- */

static void test_parse(struct ktest *t)
{
	static const struct { uint8_t kind, size; } want[7] = {
		{ PE_T_U, 1 }, { PE_T_S, 1 }, { PE_T_U, 2 }, { PE_T_S, 2 }, { PE_T_U, 4 },
		{ PE_T_S, 8 }, { PE_T_S, 4 },
	};
	char err[PE_DEF_MAX + 64];

	if (!KEXPECT_EQ(t, probe_event_parse("p:b pbtf_ints a b c d e f g", &ev, err, sizeof(err)), 0)) {
		ktest_log(t, "%s", err);
		return;
	}
	KEXPECT_EQ(t, ev.nargs, 7);
	for (int i = 0; i < 7; i++) {
		KEXPECT(t, ev.args[i].name[0] == 'a' + i && !ev.args[i].name[1]);
		KEXPECT_EQ(t, ev.args[i].kind, want[i].kind);
		KEXPECT_EQ(t, ev.args[i].size, want[i].size);
	}
	if (ARCH_BITS == 64) {	/* rdi rsi rdx rcx r8 r9, then the stack */
		KEXPECT(t, ev.args[5].fetch.base == PE_ARG && ev.args[5].fetch.index == 5);
		KEXPECT(t, ev.args[6].fetch.base == PE_ARG && ev.args[6].fetch.index == 6);
	} else {		/* cdecl: f takes words 5 and 6 above the return address */
		KEXPECT(t, ev.args[5].fetch.base == PE_STACKP && ev.args[5].fetch.nderef == 1 &&
			ev.args[5].fetch.offs[0] == 6 * 4);
		KEXPECT(t, ev.args[6].fetch.base == PE_ARG && ev.args[6].fetch.index == 7);
	}
	/* A member path: one dereference per '->' after the first, '.' adds to the offset. */
	KEXPECT_EQ(t, probe_event_parse("p:b pbtf_req_fn req->in.port req->next->tag req->name x=n:x8",
					&ev, err, sizeof(err)), 0);
	KEXPECT(t, !strcmp(ev.args[0].name, "req_in_port") && ev.args[0].fetch.base == PE_ARG &&
		ev.args[0].fetch.nderef == 1 &&
		ev.args[0].fetch.offs[0] == (long)__builtin_offsetof(struct pbtf_req, in.port) &&
		ev.args[0].kind == PE_T_U && ev.args[0].size == 2);
	KEXPECT(t, ev.args[1].fetch.nderef == 2 &&
		ev.args[1].fetch.offs[0] == (long)__builtin_offsetof(struct pbtf_req, next) &&
		ev.args[1].fetch.offs[1] == (long)__builtin_offsetof(struct pbtf_inner, tag) &&
		ev.args[1].kind == PE_T_STRING);
	KEXPECT(t, ev.args[2].fetch.nderef == 2 && ev.args[2].fetch.offs[1] == 0 &&
		ev.args[2].kind == PE_T_STRING);
	KEXPECT(t, !strcmp(ev.args[3].name, "x") && ev.args[3].kind == PE_T_X && ev.args[3].size == 1);
	/* Positional and named mix; $retval typed by the return type. */
	KEXPECT_EQ(t, probe_event_parse("r:b pbtf_ints $retval", &ev, err, sizeof(err)), 0);
	KEXPECT(t, ev.args[0].kind == PE_T_S && ev.args[0].size == sizeof(long));
	KEXPECT_EQ(t, probe_event_parse("r:b pbtf_ret $retval", &ev, err, sizeof(err)), 0);
	KEXPECT(t, ev.args[0].kind == PE_T_X && ev.args[0].fetch.base == PE_RETVAL);
	/* kfree returns nothing: a plain $retval stays the positional word, as before BTF */
	KEXPECT_EQ(t, probe_event_parse("r:b kfree $retval", &ev, err, sizeof(err)), 0);
	KEXPECT(t, ev.args[0].kind == PE_T_X && ev.args[0].size == sizeof(long));
}

/* ---- live hits -------------------------------------------------------------- */

static int define(struct ktest *t, const char *def)
{
	int r = probe_event_command(def);

	if (!KEXPECT_EQ(t, r, 0))
		ktest_log(t, "'%s' was refused", def);
	return r == 0;
}

static void test_ints(struct ktest *t)
{
	char want[160];
	long r;

	if (!define(t, "p:pbtf_i pbtf_ints a b c d e f g"))
		return;
	keep_start();
	r = call_ints(200, -3, 60000, -30000, 4000000000u, -5000000000ll, -7);
	keep_stop();
	expect_in(t, ": pbtf_i: (pbtf_ints+0x0/");
	expect_in(t, " a=200 b=-3 c=60000 d=-30000 e=4000000000 f=-5000000000 g=-7");
	probe_event_command("-:pbtf_i");
	/* $retval typed by the return type (long: signed) */
	if (!define(t, "r:pbtf_ir pbtf_ints $retval"))
		return;
	keep_start();
	r = call_ints(1, -2, 3, -4, 5, -60, -7);
	keep_stop();
	snprintf(want, sizeof(want), " arg1=%ld", r);
	KEXPECT_EQ(t, r, -64);
	expect_in(t, want);
	probe_event_command("-:pbtf_ir");
}

/* The example: p:myp kmalloc size */
static void test_kmalloc(struct ktest *t)
{
	struct probe_event *p;
	void *x;

	if (!define(t, "p:pbtf_km kmalloc size"))
		return;
	p = probe_event_find("pbtf_km");
	KEXPECT(t, p && p->nargs == 1 && !strcmp(p->args[0].name, "size") &&
		p->args[0].kind == PE_T_U && p->args[0].size == sizeof(size_t));
	keep_start();
	x = kmalloc(4242);
	keep_stop();
	kfree(x);
	expect_in(t, ": pbtf_km: (kmalloc+0x0/");
	expect_in(t, ") size=4242");
	probe_event_command("-:pbtf_km");
}

static void test_members(struct ktest *t)
{
	if (!define(t, "p:pbtf_m pbtf_req_fn req->u8 req->s8 req->u16 req->s16 req->u32 req->s32 "
		       "req->u64 req->s64"))
		return;
	if (!define(t, "p:pbtf_n pbtf_req_fn req->name req->in.port req->in.tag req->next->tag "
		       "req->next->port req->anon_x s n")) {
		probe_event_command("-:pbtf_m");
		return;
	}
	keep_start();
	call_req(&req, "hello", 42);
	keep_stop();
	expect_in(t, " req_u8=250 req_s8=-100 req_u16=65000 req_s16=-1234 req_u32=4000000000 "
		  "req_s32=-2000000000 req_u64=18000000000000000000 req_s64=-9000000000000000000");
	expect_in(t, " req_name=\"alpha\" req_in_port=8080 req_in_tag=\"inner\" req_next_tag=\"nxt\" "
		  "req_next_port=4660 req_anon_x=-77 s=\"hello\" n=42");
	probe_event_command("-:pbtf_m");
	probe_event_command("-:pbtf_n");
	/* A NULL pointer on the way reads as (fault), and nothing stops. */
	if (!define(t, "p:pbtf_f pbtf_req_fn req->next->port s"))
		return;
	keep_start();
	call_req(NULL, NULL, 0);
	keep_stop();
	expect_in(t, " req_next_port=(fault) s=(fault)");
	probe_event_command("-:pbtf_f");
}

static void test_all_args_and_retval(struct ktest *t)
{
	char want[96];

	if (!define(t, "p:pbtf_a pbtf_req_fn $arg*"))
		return;
	keep_start();
	call_req(&req, "hi", -5);
	keep_stop();
	snprintf(want, sizeof(want), " req=0x%lx s=\"hi\" n=-5", (unsigned long)&req);
	expect_in(t, want);
	probe_event_command("-:pbtf_a");
	if (!define(t, "r:pbtf_r pbtf_ret $retval->in.tag port=$retval->next->port $retval->s16"))
		return;
	keep_start();
	call_ret(3);
	keep_stop();
	expect_in(t, " arg1=\"inner\" port=4660 arg3=-1234");
	probe_event_command("-:pbtf_r");
	/* $argN-> (counted from 0, like $argN) */
	if (!define(t, "p:pbtf_p pbtf_req_fn v=$arg0->u16 w=$arg1:string"))
		return;
	keep_start();
	call_req(&req, "x", 1);
	keep_stop();
	expect_in(t, " v=65000 w=\"x\"");
	probe_event_command("-:pbtf_p");
}

/* ---- errors ----------------------------------------------------------------- */

static const struct {
	const char *def, *what;
} bad[] = {
	{ "p:pbtf_e pbtf_req_fn nosuch",
	  "pbtf_req_fn has no parameter 'nosuch' (parameters: struct pbtf_req *req, const char *s, int n)" },
	{ "p:pbtf_e pbtf_req_fn req->nosuch", "struct pbtf_req has no member 'nosuch' (members: u8, s8, u16" },
	{ "p:pbtf_e pbtf_req_fn req->in.nosuch", "struct pbtf_inner has no member 'nosuch' (members: port, tag)" },
	{ "p:pbtf_e pbtf_req_fn n->x", "'n' is int, not a pointer: no '->' on it" },
	{ "p:pbtf_e pbtf_req_fn req->in->port", "'req->in' is struct pbtf_inner, not a pointer" },
	{ "p:pbtf_e pbtf_req_fn req.u8", "'req' is a pointer (struct pbtf_req *): use '->'" },
	{ "p:pbtf_e pbtf_req_fn req->u8.x", "'req->u8' is uint8_t, not a struct or union" },
	{ "p:pbtf_e pbtf_req_fn req->in", "'req->in' is struct pbtf_inner: name one of its members" },
	{ "p:pbtf_e pbtf_req_fn req->mode", "'req->mode' is a bitfield (5 bits at bit" },
	{ "p:pbtf_e arch_setjmp buf", "no BTF for 'arch_setjmp'" },
	{ "p:pbtf_e arch_setjmp $arg*", "no BTF for 'arch_setjmp'" },
	{ "r:pbtf_e pbtf_req_fn req", "parameters are only known at entry" },
	{ "p:pbtf_e pbtf_req_fn+1 req", "parameters need a probe at offset 0" },
	{ "p:pbtf_e pbtf_req_fn $arg3->x", "pbtf_req_fn has no $arg3 (parameters:" },
	{ "p:pbtf_e pbtf_req_fn req->", "expected a member name after 'req->'" },
	{ "p:pbtf_e pbtf_req_fn $arg* $arg*", "a second argument called 'req'" },
	{ "p:pbtf_e pbtf_ret $retval->u8", "$retval is only known at return" },
	{ "p:pbtf_e pbtf_ints a b c d e f g h", "pbtf_ints has no parameter 'h'" },
};

static void test_errors(struct ktest *t)
{
	char err[PE_DEF_MAX + 64];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct probe_event *made;
		int r = probe_event_parse(bad[i].def, &ev, err, sizeof(err));

		if (!KEXPECT_EQ(t, r, -EINVAL) || !KEXPECT(t, strstr(err, bad[i].what)))
			ktest_log(t, "'%s' gave: %s", bad[i].def, err);
		/* and through the command's core: the same error, nothing registered */
		err[0] = 0;
		KEXPECT_EQ(t, probe_event_create(bad[i].def, &made, err, sizeof(err)), -EINVAL);
		KEXPECT(t, made == NULL && probe_event_find("pbtf_e") == NULL);
		KEXPECT(t, strstr(err, bad[i].what) != NULL);
	}
	/* A static function: by name on x86_64; refused on i386, where gcc may use registers. */
	pbtf_sink += pbtf_static(1, 2);
	r = probe_event_parse("p:pbtf_e pbtf_static x y", &ev, err, sizeof(err));
	if (ARCH_BITS == 64)
		KEXPECT_EQ(t, r, 0);
	else if (!KEXPECT_EQ(t, r, -EINVAL) || !KEXPECT(t, strstr(err, "pbtf_static is static: on i386")))
		ktest_log(t, "gave: %s", err);
	KEXPECT_EQ(t, probe_event_parse("p:pbtf_e pbtf_static $arg1:s32", &ev, err, sizeof(err)), 0);
	/* positional arguments still work where BTF has nothing */
	KEXPECT_EQ(t, probe_event_parse("p:pbtf_e arch_setjmp x=$arg0 y=%ax", &ev, err, sizeof(err)), 0);
}

static const struct ktest_case probe_btf_cases[] = {
	{ "loaded", test_loaded },
	{ "parse", test_parse },
	{ "ints", test_ints },
	{ "kmalloc", test_kmalloc },
	{ "members", test_members },
	{ "all_args_retval", test_all_args_and_retval },
	{ "errors", test_errors },
	{ 0 },
};
static const struct ktest_suite probe_btf_suite = { "probe_btf", probe_btf_cases, NULL };
KTEST_SUITE(probe_btf_suite);
