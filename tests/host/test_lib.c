/* Host unit tests for lib/format.c and lib/string.c. TAP-ish output. */
#include <stdint.h>
#include <stdio.h>
#include "lib/format.h"
#include "lib/string.h"

#undef snprintf
#undef strcmp
static int passed, failed;

static void check(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", passed + failed + 1, what);
	if (ok)
		passed++;
	else
		failed++;
}

/* Compare our formatting with the host libc's for the same format. */
#define FMT(expect, ...) do { \
	char ours[128]; \
	lib_snprintf(ours, sizeof(ours), __VA_ARGS__); \
	check(lib_strcmp(ours, expect) == 0, #__VA_ARGS__); \
	if (lib_strcmp(ours, expect)) printf("#   got '%s' want '%s'\n", ours, expect); \
} while (0)

static void test_format(void)
{
	char buf[8];
	int n;

	FMT("42", "%d", 42);
	FMT("-42", "%d", -42);
	FMT("  -42", "%5d", -42);
	FMT("-0042", "%05d", -42);
	FMT("-42  |", "%-5d|", -42);
	FMT("+7", "%+d", 7);
	FMT("4294967295", "%u", 4294967295u);
	FMT("ffffffffffffffff", "%llx", 0xffffffffffffffffull);
	FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	FMT("0x1f", "%#x", 31);
	FMT("0X1F", "%#X", 31);
	FMT("0", "%#x", 0);
	FMT("17", "%o", 15);
	FMT("017", "%#o", 15);
	FMT("00000abc", "%08x", 0xabc);
	FMT("   abc", "%6x", 0xabc);
	FMT("007", "%.3d", 7);
	FMT("", "%.0d", 0);
	FMT("hello", "%s", "hello");
	FMT("  hi", "%4s", "hi");
	FMT("hi  |", "%-4s|", "hi");
	FMT("he", "%.2s", "hello");
	{ const char *volatile nullstr = NULL; FMT("(null)", "%s", nullstr); }
	FMT("x", "%c", 'x');
	FMT("100%", "%d%%", 100);
	FMT("   42", "%*d", 5, 42);
	FMT("-1", "%hhd", 255);
	FMT("65535", "%hu", 0xffffffffu);
	FMT("123456789", "%zu", (size_t)123456789);
	FMT("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
	n = lib_snprintf(buf, sizeof(buf), "%s", "truncated text");
	check(n == 14 && lib_strcmp(buf, "truncat") == 0, "snprintf truncates and returns full length");
	n = lib_snprintf(buf, 0, "%d", 12345);
	check(n == 5, "snprintf with size 0 only counts");
	{
		char text[8] = "";
		struct strbuf sb = { text, sizeof(text), 0 };

		strbuf_addf(&sb, "%s", "ab");
		strbuf_addf(&sb, "%d", 12);
		check(sb.len == 4 && lib_strcmp(text, "ab12") == 0, "strbuf_addf appends");
		strbuf_addf(&sb, "%s", "xyzw");
		check(sb.len == 7 && lib_strcmp(text, "ab12xyz") == 0, "strbuf_addf truncates, terminated");
		strbuf_addf(&sb, "more");
		check(sb.len == 7 && lib_strcmp(text, "ab12xyz") == 0, "strbuf_addf on a full buffer changes nothing");
	}
}

static void test_string(void)
{
	char a[32], b[32];
	const char *end;
	unsigned long v;

	lib_memset(a, 'x', sizeof(a));
	check(a[0] == 'x' && a[31] == 'x', "memset fills");
	lib_strlcpy(a, "abcdef", sizeof(a));
	lib_memmove(a + 2, a, 4);
	check(lib_strcmp(a, "ababcd") == 0, "memmove overlapping forward");
	lib_strlcpy(a, "abcdef", sizeof(a));
	lib_memmove(a, a + 2, 4);
	check(lib_memcmp(a, "cdefef", 6) == 0, "memmove overlapping backward");
	check(lib_strlcpy(b, "0123456789", 4) == 10 && lib_strcmp(b, "012") == 0, "strlcpy truncates");
	check(lib_strncmp("abcx", "abcy", 3) == 0 && lib_strncmp("abcx", "abcy", 4) < 0, "strncmp");
	{ const char *h = "hello"; check(lib_strchr(h, 'l') == h + 2 && lib_strchr(h, 'z') == NULL, "strchr"); }
	{ const char *h = "hello"; check(lib_strstr(h, "ll") == h + 2 && lib_strstr(h, "") == h &&
					 lib_strstr(h, "lo") == h + 3 && lib_strstr(h, "lox") == NULL &&
					 lib_strstr("", "a") == NULL, "strstr"); }
	check(lib_strnlen("abc", 2) == 2 && lib_strlen("abc") == 3, "strnlen/strlen");
	check(glob_match("sys_*", "sys_read") && !glob_match("sys_*", "do_sys") &&
	      glob_match("*", "") && glob_match("a?c", "abc") && glob_match("*x*y", "axbxy") &&
	      !glob_match("a?c", "ac"), "glob_match");
	check(parse_ulong("0x1F", &end, &v) == 0 && v == 31 && *end == 0, "parse_ulong hex");
	check(parse_ulong("123+4", &end, &v) == 0 && v == 123 && *end == '+', "parse_ulong stops at non-digit");
	check(parse_ulong("zz", &end, &v) == -1, "parse_ulong refuses no digits");
	check(parse_ulong("99999999999999999999999", &end, &v) == -1, "parse_ulong refuses overflow");
	check(str_starts_with("kprobe_register", "kprobe_") && !str_starts_with("kp", "kprobe"), "str_starts_with");
}

int main(void)
{
	test_format();
	test_string();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
