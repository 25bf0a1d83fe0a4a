/* Kernel command line options. */
#include "kernel/cmdline.h"
#include "kernel/dev/console.h"
#include "lib/string.h"

struct kernel_options kopt = {
	.mode = MODE_BENCH,
	.consoles = CON_ALL,
	.test_filter = "*",
	.bench_filter = "*",
	.qr = -1,
};

static const char *const mode_names[] = {
	[MODE_BENCH] = "bench", [MODE_TEST] = "test", [MODE_TRACE] = "trace", [MODE_IDLE] = "idle",
};

const char *boot_mode_name(enum boot_mode mode)
{
	return mode_names[mode];
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Copy one token piece; returns -1 when it does not fit. */
static int take(char *dst, unsigned size, unsigned *len, char c)
{
	if (*len + 1 >= size)
		return -1;
	dst[(*len)++] = c;
	dst[*len] = 0;
	return 0;
}

int cmdline_next(const char **p, char *key, unsigned key_size, char *value, unsigned value_size)
{
	const char *s = *p;
	unsigned klen = 0, vlen = 0;
	int in_value = 0, quoted = 0, bad = 0;

	key[0] = value[0] = 0;
	while (is_space(*s))
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	for (; *s && (quoted || !is_space(*s)); s++) {
		if (*s == '\\' && (s[1] == '"' || s[1] == '\\' || s[1] == '\''))
			s++;	/* GRUB's escape: the quote still groups, \\ and \' are literal */
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (!in_value && *s == '=') {
			in_value = 1;
			continue;
		}
		if (in_value ? take(value, value_size, &vlen, *s) : take(key, key_size, &klen, *s))
			bad = 1;
	}
	*p = s;
	return bad || quoted || klen == 0 ? -1 : 1;
}

static int error(const char *fmt, const char *a, const char *b)
{
	printk("cmdline: ");
	printk(fmt, a, b);
	printk("\n");
	kopt.errors++;
	return -1;
}

static int set_mode(const char *v)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(v, mode_names[i])) {
			kopt.mode = (enum boot_mode)i;
			return 0;
		}
	return error("bad value '%s' for %s (expected test|bench|trace|idle)", v, "mode");
}

static int set_console(const char *v)
{
	if (!strcmp(v, "serial"))
		kopt.consoles = CON_SERIAL;
	else if (!strcmp(v, "screen"))
		kopt.consoles = CON_SCREEN;
	else if (!strcmp(v, "all"))
		kopt.consoles = CON_ALL;
	else
		return error("bad value '%s' for %s (expected serial|screen|all)", v, "console");
	return 0;
}

static int set_bool(const char *key, const char *v, int *out)
{
	if (!strcmp(v, "") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
		*out = 0;
	else
		return error("bad value '%s' for %s (expected 0|1)", v, key);
	return 0;
}

static int set_string(const char *key, const char *v, char *dst, unsigned size)
{
	if (strlen(v) >= size)	/* checked first: a refused value changes nothing */
		return error("value '%s' for %s is too long", v, key);
	strlcpy(dst, v, size);
	return 0;
}

/* trace=GLOB, trace=graph:GLOB or trace=function:GLOB (mode=trace). */
static int set_trace(const char *v)
{
	int function = 0;
	const char *g = v;

	if (str_starts_with(v, "function:")) {
		function = 1;
		g = v + strlen("function:");
	} else if (str_starts_with(v, "graph:")) {
		g = v + strlen("graph:");
	}
	if (!g[0])
		return error("bad value '%s' for %s (expected [graph:|function:]GLOB)", v, "trace");
	if (set_string("trace", g, kopt.trace_glob, sizeof(kopt.trace_glob)))
		return -1;
	kopt.trace_function = function;
	return 0;
}

/* A CPU count or number in [lo, 64]. */
static int set_cpu_number(const char *key, const char *v, int lo, int *out)
{
	int n = 0;
	const char *p = v;

	while (*p >= '0' && *p <= '9' && n <= 1000)
		n = n * 10 + (*p++ - '0');
	if (*p || p == v || n < lo || n > 64)
		return error(lo ? "bad value '%s' for %s (expected 1..64)" : "bad value '%s' for %s (expected 0..63)",
			     v, key);
	*out = n;
	return 0;
}

/* Kept as text: probe_events_apply_cmdline() parses them once symbols and hooks work. */
static int add_probe(const char *v)
{
	if (kopt.probe_count == CMDLINE_MAX_PROBES)
		return error("more than %s probe= options; '%s' ignored", "8", v);
	if (set_string("probe", v, kopt.probes[kopt.probe_count], CMDLINE_PROBE_MAX))
		return -1;
	kopt.probe_count++;
	return 0;
}

int cmdline_parse(const char *cmdline)
{
	char key[32], value[192];
	const char *p = cmdline ? cmdline : "";
	int r;

	kopt.errors = 0;
	while ((r = cmdline_next(&p, key, sizeof(key), value, sizeof(value))) != 0) {
		if (r < 0) {
			error("malformed option near '%s'%s", key, " (unterminated quote or too long)");
			continue;
		}
		if (key[0] == '/')	/* the kernel's own path, if the loader passes it */
			continue;
		if (!strcmp(key, "mode"))
			set_mode(value);
		else if (!strcmp(key, "console"))
			set_console(value);
		else if (!strcmp(key, "qemu_exit"))
			set_bool(key, value, &kopt.qemu_exit);
		else if (!strcmp(key, "icount"))
			set_bool(key, value, &kopt.icount);
		else if (!strcmp(key, "hook_all"))
			set_bool(key, value, &kopt.hook_all);
		else if (!strcmp(key, "qr"))
			set_bool(key, value, &kopt.qr);
		else if (!strcmp(key, "test"))
			set_string(key, value, kopt.test_filter, sizeof(kopt.test_filter));
		else if (!strcmp(key, "bench"))
			set_string(key, value, kopt.bench_filter, sizeof(kopt.bench_filter));
		else if (!strcmp(key, "trace"))
			set_trace(value);
		else if (!strcmp(key, "profile") && value[0])
			set_string(key, value, kopt.profile_glob, sizeof(kopt.profile_glob));
		else if (!strcmp(key, "profile"))
			error("bad value '%s' for %s (expected GLOB)", value, key);
		else if (!strcmp(key, "probe"))
			add_probe(value);
		else if (!strcmp(key, "cpus"))
			set_cpu_number(key, value, 1, &kopt.cpus);
		else if (!strcmp(key, "fault_cpu"))
			set_cpu_number(key, value, 0, &kopt.fault_cpu);
		else
			error("unknown option '%s'%s", key, "");
	}
	return kopt.errors;
}
