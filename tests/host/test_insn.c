/*
 * test_insn.c - unit tests of lib/insn.c on hand-written byte strings.
 * Output: TAP-style "ok N - name" / "not ok N - name", then "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"

static int passed, failed;

static void check(int ok, const char *name)
{
	int n = passed + failed + 1;

	if (ok)
		passed++;
	else
		failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", n, name);
}

/* Decodes a hex string like "48 8b 05 10 00 00 00" (spaces optional). */
static int dec(struct insn *in, int mode, const char *hex)
{
	uint8_t b[32];
	size_t n = 0;

	while (*hex && n < sizeof(b)) {
		unsigned v;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		b[n++] = (uint8_t)v;
		hex += 2;
	}
	return insn_decode(in, b, n, mode == 64 ? INSN_MODE_64 : INSN_MODE_32);
}

/* Length of an encoding (the whole string must be one instruction). */
static void len_is(int mode, const char *hex, int want, const char *name)
{
	struct insn in;
	int got = dec(&in, mode, hex);
	char buf[200];

	snprintf(buf, sizeof(buf), "m%d length %s = %d (%s)", mode, name, want, hex);
	if (got != want)
		printf("# got %d\n", got);
	check(got == want, buf);
}

static void invalid(int mode, const char *hex, const char *name)
{
	struct insn in;
	int got = dec(&in, mode, hex);
	char buf[200];

	snprintf(buf, sizeof(buf), "m%d invalid %s (%s)", mode, name, hex);
	if (got != INSN_ERR_INVALID)
		printf("# got %d\n", got);
	check(got == INSN_ERR_INVALID, buf);
}

static void attr_is(int mode, const char *hex, uint32_t attr, int present, const char *name)
{
	struct insn in;
	int got = dec(&in, mode, hex);
	char buf[200];

	snprintf(buf, sizeof(buf), "m%d %s %s (%s)", mode, present ? "is" : "is not", name, hex);
	if (got <= 0)
		printf("# decode failed %d\n", got);
	check(got > 0 && (!!(in.attr & attr)) == !!present, buf);
}

static void target_is(int mode, const char *hex, uint64_t addr, uint64_t want,
		      enum insn_branch kind, const char *name)
{
	struct insn in;
	int got = dec(&in, mode, hex);
	uint64_t t = got > 0 ? insn_branch_target(&in, addr) : 0;
	char buf[200];

	snprintf(buf, sizeof(buf), "m%d branch %s @%llx -> %llx", mode, name,
		 (unsigned long long)addr, (unsigned long long)want);
	if (t != want || in.branch != kind)
		printf("# got len %d target %llx kind %d\n", got, (unsigned long long)t, in.branch);
	check(got > 0 && t == want && in.branch == kind && insn_is_rel_branch(&in), buf);
}

static void stack_is(int mode, const char *hex, int delta, const char *name)
{
	struct insn in;
	int got = dec(&in, mode, hex);
	char buf[200];

	snprintf(buf, sizeof(buf), "m%d stack %s delta %d (%s)", mode, name, delta, hex);
	if (got <= 0 || in.stack_delta != delta || !(in.attr & INSN_ATTR_SP_DELTA))
		printf("# got len %d delta %d attr %x\n", got, in.stack_delta, in.attr);
	check(got > 0 && insn_moves_stack(&in) && (in.attr & INSN_ATTR_SP_DELTA) &&
	      in.stack_delta == delta, buf);
}

static void test_lengths(void)
{
	len_is(64, "48 b8 88 77 66 55 44 33 22 11", 10, "mov rax, imm64");
	len_is(64, "b8 44 33 22 11", 5, "mov eax, imm32");
	len_is(64, "66 b8 22 11", 4, "mov ax, imm16");
	len_is(64, "49 c7 c0 44 33 22 11", 7, "mov r8, simm32");
	len_is(64, "a1 88 77 66 55 44 33 22 11", 9, "moffs 8-byte");
	len_is(64, "67 a1 44 33 22 11", 6, "moffs 4-byte with 67");
	len_is(32, "a1 44 33 22 11", 5, "moffs 4-byte");
	len_is(32, "67 a2 22 11", 4, "moffs 2-byte with 67");
	len_is(32, "c8 10 00 01", 4, "enter iw, ib");
	len_is(32, "9a 78 56 34 12 34 12", 7, "call far ptr16:32");
	len_is(32, "66 9a 34 12 00 f0", 6, "call far ptr16:16");
	len_is(32, "ea 78 56 34 12 08 00", 7, "jmp far ptr16:32");
	len_is(32, "66 e9 00 10", 4, "jmp rel16 (66 in 32-bit)");
	len_is(64, "66 e9 00 10 00 00", 6, "jmp rel32 (66 ignored in 64-bit)");
	len_is(64, "66 0f 84 00 10 00 00", 7, "jcc rel32 (66 ignored in 64-bit)");
	len_is(64, "66 68 34 12", 4, "push imm16");
	len_is(64, "68 34 12 00 00", 5, "push imm32");
	len_is(32, "67 8b 46 10", 4, "16-bit addressing [bp+disp8]");
	len_is(32, "67 8b 06 34 12", 5, "16-bit addressing [disp16]");
	len_is(32, "67 8b 87 34 12", 5, "16-bit addressing [bx+disp16]");
	len_is(64, "8b 04 25 00 10 00 00", 7, "SIB without base, disp32");
	len_is(64, "8b 44 24 08", 4, "SIB + disp8");
	len_is(64, "8b 84 24 00 01 00 00", 7, "SIB + disp32");
	len_is(64, "41 8b 45 00", 4, "r13 base needs disp8");
	len_is(64, "c7 05 10 00 00 00 78 56 34 12", 10, "mov [rip+d], imm32");
	len_is(64, "66 c7 05 10 00 00 00 34 12", 9, "mov word [rip+d], imm16");
	len_is(64, "48 69 c0 00 01 00 00", 7, "imul r, r/m, imm32");
	len_is(64, "f6 c0 01", 3, "test al, imm8 (F6 /0)");
	len_is(64, "f7 c0 01 00 00 00", 6, "test eax, imm32 (F7 /0)");
	len_is(64, "f7 d0", 2, "not eax (F7 /2, no imm)");
	len_is(64, "f3 48 0f b8 c0", 5, "popcnt");
	len_is(64, "0f 0b", 2, "ud2 is valid");
	len_is(64, "f3 0f 1e fa", 4, "endbr64");
	len_is(64, "66 0f 3a 0f c1 08", 6, "palignr imm8");
	len_is(64, "66 0f 38 00 c1", 5, "pshufb");
	len_is(64, "66 0f 73 d8 04", 5, "psrldq imm8 (group 14)");
	len_is(64, "f2 0f 78 c1 04 08", 6, "insertq: two imm8");
	len_is(64, "0f 0f c1 b4", 4, "3DNow! pfmul mm0, mm1");
	len_is(32, "0f 0f 44 24 04 9e", 6, "3DNow! pfadd with SIB+disp8");
	len_is(64, "d9 ee", 2, "x87 fldz");
	len_is(32, "dd 05 00 10 00 00", 6, "x87 fld qword [disp32]");
	len_is(64, "9b", 1, "fwait alone");
	len_is(64, "c5 f8 77", 3, "VEX2 vzeroupper");
	len_is(64, "c4 e2 79 18 05 10 00 00 00", 9, "VEX3 vbroadcastss [rip]");
	len_is(64, "c4 e3 79 0f c1 08", 6, "VEX3 vpalignr imm8");
	len_is(32, "c5 f8 77", 3, "VEX2 in 32-bit mode (mod bits 11)");
	len_is(32, "c5 06", 2, "lds in 32-bit mode (mod != 3)");
	len_is(32, "c4 08", 2, "les in 32-bit mode");
	len_is(32, "62 00", 2, "bound in 32-bit mode");
	len_is(64, "62 f1 fd 48 10 05 10 00 00 00", 10, "EVEX vmovupd zmm0, [rip]");
	len_is(64, "62 f1 7c 48 10 44 24 01", 8, "EVEX disp8*N");
	len_is(32, "62 f1 7c 48 10 c1", 6, "EVEX in 32-bit mode");
	len_is(64, "8f e9 78 01 c9", 5, "XOP blcfill");
	len_is(64, "8f ea 78 10 c0 04 00 00 00", 9, "XOP bextr imm32");
	len_is(64, "8f c0", 2, "pop [rax] (8F /0, not XOP)");
	len_is(64, "c7 f8 00 01 00 00", 6, "xbegin rel32");
	len_is(64, "66 c7 f8 00 01", 5, "xbegin rel16 with 66");
	len_is(64, "48 66 b8 34 12", 5, "REX before 66 is ignored (mov ax, imm16)");
	len_is(64, "66 48 b8 88 77 66 55 44 33 22 11", 11, "66 then REX.W: imm64");
	len_is(64, "f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 90", 15, "14 prefixes + nop");
	len_is(64, "2e 3e 26 64 65 36 67 66 f2 f3 f0 01 00", 13, "all prefix kinds");
	len_is(64, "f0 f0 48 01 00", 5, "repeated lock");
}

static void test_errors(void)
{
	struct insn in;

	check(dec(&in, 64, "f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 90") == INSN_ERR_TOO_LONG,
	      "m64 15 prefixes + nop is too long");
	check(dec(&in, 64, "48 b8 00 00 00 00 00") == INSN_ERR_TRUNCATED, "m64 truncated imm64");
	check(dec(&in, 64, "e8 00 00") == INSN_ERR_TRUNCATED, "m64 truncated call rel32");
	check(dec(&in, 64, "0f") == INSN_ERR_TRUNCATED, "m64 truncated escape");
	check(dec(&in, 64, "") == INSN_ERR_TRUNCATED, "m64 empty buffer");
	check(dec(&in, 32, "8b 84 24 00 01") == INSN_ERR_TRUNCATED, "m32 truncated disp32");

	invalid(64, "06", "push es in 64-bit mode");
	invalid(64, "07", "pop es in 64-bit mode");
	invalid(64, "27", "daa in 64-bit mode");
	invalid(64, "60", "pusha in 64-bit mode");
	invalid(64, "d4 0a", "aam in 64-bit mode");
	invalid(64, "d6", "salc in 64-bit mode");
	invalid(64, "82 c0 01", "82 alias in 64-bit mode");
	invalid(64, "ce", "into in 64-bit mode");
	invalid(64, "9a 00 00 00 00 00 00", "call far in 64-bit mode");
	invalid(64, "c4 00 00 00 00", "les in 64-bit mode is VEX (bad map)");
	invalid(64, "0f 04", "undefined 0F 04");
	invalid(64, "0f 0a", "undefined 0F 0A");
	invalid(64, "0f 38 ff c0", "undefined 0F 38 FF");
	invalid(64, "0f a6 c0", "0F A6 without F3");
	invalid(64, "f0 01 c0", "lock with a register destination");
	invalid(64, "f0 90", "lock nop");
	invalid(64, "f0 3b 00", "lock cmp r, m (no memory destination)");
	invalid(64, "8d c0", "lea with a register operand");
	invalid(64, "8e c8", "mov cs, ax");
	invalid(64, "0f 20 c8", "mov from cr1");
	invalid(64, "ff d8", "call far with a register operand");
	invalid(64, "ff f8", "FF /7");
	invalid(64, "fe d0", "FE /2");
	invalid(64, "c6 c8 00", "C6 /1");
	invalid(64, "66 c5 f8 77", "66 before VEX");
	invalid(64, "48 c5 f8 77", "REX before VEX");
	invalid(64, "0f 0f c1 ff", "undefined 3DNow! suffix");
	invalid(64, "d9 08", "x87 D9 /1 memory is undefined");
	invalid(64, "66 0f 77", "emms with 66");
}

static void test_rip_relative(void)
{
	struct insn in;
	int n;

	n = dec(&in, 64, "48 8b 05 10 00 00 00");
	check(n == 7 && insn_is_rip_relative(&in) && in.disp_offset == 3 && in.disp == 0x10 &&
	      in.disp_size == 4, "m64 mov rax, [rip+0x10]: disp32 at offset 3");
	n = dec(&in, 64, "c7 05 f0 ff ff ff 78 56 34 12");
	check(n == 10 && insn_is_rip_relative(&in) && in.disp_offset == 2 && in.disp == -16 &&
	      in.imm_offset == 6 && in.imm_size == 4, "m64 mov [rip-16], imm32: disp at 2, imm at 6");
	n = dec(&in, 64, "80 3d 00 10 00 00 05");
	check(n == 7 && insn_is_rip_relative(&in) && in.disp_offset == 2 && in.imm_offset == 6,
	      "m64 cmp byte [rip], imm8");
	n = dec(&in, 64, "66 41 0f 6f 0d 00 01 00 00");
	check(n == 9 && insn_is_rip_relative(&in) && in.disp_offset == 5, "m64 movdqa with REX");
	n = dec(&in, 64, "c4 e2 79 18 05 10 00 00 00");
	check(n == 9 && insn_is_rip_relative(&in) && in.disp_offset == 5, "m64 VEX [rip]");
	n = dec(&in, 64, "62 f1 fd 48 10 05 10 00 00 00");
	check(n == 10 && insn_is_rip_relative(&in) && in.disp_offset == 6, "m64 EVEX [rip]");
	n = dec(&in, 64, "ff 25 00 20 00 00");
	check(n == 6 && insn_is_rip_relative(&in) && insn_is_indirect_jmp(&in),
	      "m64 jmp [rip+0x2000] (PLT form)");
	n = dec(&in, 64, "67 8b 05 10 00 00 00");
	check(n == 7 && insn_is_rip_relative(&in), "m64 [eip+disp32] with 67");
	n = dec(&in, 64, "8b 04 25 10 00 00 00");
	check(n == 7 && !insn_is_rip_relative(&in), "m64 SIB no-base disp32 is absolute");
	n = dec(&in, 32, "8b 05 10 00 00 00");
	check(n == 6 && !insn_is_rip_relative(&in), "m32 [disp32] is absolute");
	n = dec(&in, 64, "0f 0f 05 10 00 00 00 b4");
	check(n == 8 && insn_is_rip_relative(&in) && in.disp_offset == 3 && in.opcode == 0xb4 &&
	      in.map == INSN_MAP_3DNOW, "m64 3DNow! [rip] with suffix");
}

static void test_branches(void)
{
	target_is(64, "eb 10", 0x1000, 0x1012, INSN_BR_JMP8, "jmp rel8 forward");
	target_is(64, "eb fe", 0x1000, 0x1000, INSN_BR_JMP8, "jmp rel8 to itself");
	target_is(64, "eb 80", 0x1000, 0x1000 + 2 - 128, INSN_BR_JMP8, "jmp rel8 backward");
	target_is(64, "e9 00 01 00 00", 0x401000, 0x401105, INSN_BR_JMP32, "jmp rel32 forward");
	target_is(64, "e9 fb ff ff ff", 0x401000, 0x401000, INSN_BR_JMP32, "jmp rel32 backward");
	target_is(64, "e9 00 00 00 80", 0xffffffff80001000ull, 0xffffffff80001005ull - 0x80000000ull,
		  INSN_BR_JMP32, "jmp rel32 in the upper half");
	target_is(64, "74 05", 0x2000, 0x2007, INSN_BR_JCC8, "je rel8");
	target_is(64, "7f f0", 0x2000, 0x1ff2, INSN_BR_JCC8, "jg rel8 backward");
	target_is(64, "0f 85 f0 ff ff ff", 0x2000, 0x1ff6, INSN_BR_JCC32, "jne rel32 backward");
	target_is(64, "0f 8c 00 10 00 00", 0x2000, 0x3006, INSN_BR_JCC32, "jl rel32 forward");
	target_is(64, "e8 00 00 00 00", 0x5000, 0x5005, INSN_BR_CALL, "call next");
	target_is(64, "e8 f6 ff ff ff", 0x5000, 0x4ffb, INSN_BR_CALL, "call backward");
	target_is(64, "66 e8 10 00 00 00", 0x5000, 0x5016, INSN_BR_CALL, "66 call rel32 (ignored 66)");
	target_is(64, "e2 fe", 0x3000, 0x3000, INSN_BR_LOOP, "loop");
	target_is(64, "e1 10", 0x3000, 0x3012, INSN_BR_LOOP, "loope");
	target_is(64, "e0 f0", 0x3000, 0x2ff2, INSN_BR_LOOP, "loopne");
	target_is(64, "e3 10", 0x3000, 0x3012, INSN_BR_JCXZ, "jrcxz");
	target_is(64, "67 e3 10", 0x3000, 0x3013, INSN_BR_JCXZ, "jecxz with 67");
	target_is(64, "c7 f8 00 01 00 00", 0x3000, 0x3106, INSN_BR_XBEGIN, "xbegin");
	target_is(32, "eb 10", 0x1000, 0x1012, INSN_BR_JMP8, "jmp rel8");
	target_is(32, "e9 00 01 00 00", 0x401000, 0x401105, INSN_BR_JMP32, "jmp rel32");
	target_is(32, "e9 10 00 00 00", 0xfffffff0u, 0x5, INSN_BR_JMP32, "jmp rel32 wraps at 4G");
	target_is(32, "e9 f0 ff ff ff", 0x8, 0xfffffffdu, INSN_BR_JMP32, "jmp rel32 wraps below 0");
	target_is(32, "66 e9 00 10", 0x12345, (0x12345 + 4 + 0x1000) & 0xffff, INSN_BR_JMP32,
		  "jmp rel16 truncates to 16 bits");
	target_is(32, "0f 84 00 10 00 00", 0x1000, 0x2006, INSN_BR_JCC32, "je rel32");
	target_is(32, "7c fe", 0x1000, 0x1000, INSN_BR_JCC8, "jl rel8");
	target_is(32, "e8 fb ff ff ff", 0xc0100000u, 0xc0100000u, INSN_BR_CALL, "call self");
	target_is(32, "e2 fc", 0x1000, 0xffe, INSN_BR_LOOP, "loop");
	target_is(32, "e3 02", 0x1000, 0x1004, INSN_BR_JCXZ, "jecxz");
	target_is(32, "67 e3 02", 0x1000, 0x1005, INSN_BR_JCXZ, "jcxz with 67");

	struct insn in;

	dec(&in, 64, "48 89 c3");
	check(!insn_is_rel_branch(&in) && insn_branch_target(&in, 0x100) == 0x103,
	      "m64 non-branch target is the next instruction");
}

static void test_stack(void)
{
	stack_is(64, "50", -8, "push rax");
	stack_is(64, "41 57", -8, "push r15");
	stack_is(64, "66 50", -2, "push ax");
	stack_is(32, "50", -4, "push eax");
	stack_is(64, "5d", 8, "pop rbp");
	stack_is(32, "5d", 4, "pop ebp");
	stack_is(64, "6a 01", -8, "push imm8");
	stack_is(64, "68 00 10 00 00", -8, "push imm32");
	stack_is(32, "6a 01", -4, "push imm8");
	stack_is(64, "66 6a 01", -2, "push word imm8");
	stack_is(64, "ff 34 24", -8, "push [rsp]");
	stack_is(64, "8f 00", 8, "pop [rax]");
	stack_is(64, "0f a0", -8, "push fs");
	stack_is(64, "0f a9", 8, "pop gs");
	stack_is(32, "1e", -4, "push ds");
	stack_is(32, "07", 4, "pop es");
	stack_is(64, "9c", -8, "pushfq");
	stack_is(64, "9d", 8, "popfq");
	stack_is(32, "60", -32, "pushad");
	stack_is(32, "61", 32, "popad");
	stack_is(32, "66 60", -16, "pushaw");
	stack_is(64, "e8 00 00 00 00", -8, "call rel32");
	stack_is(32, "e8 00 00 00 00", -4, "call rel32");
	stack_is(64, "ff d0", -8, "call rax");
	stack_is(64, "ff 15 00 10 00 00", -8, "call [rip]");
	stack_is(32, "9a 00 00 00 00 08 00", -8, "call far");
	stack_is(64, "c3", 8, "ret");
	stack_is(32, "c3", 4, "ret");
	stack_is(64, "c2 10 00", 24, "ret 16");
	stack_is(64, "cb", 8, "retf (32-bit operand)");
	stack_is(64, "48 cb", 16, "retfq");
	stack_is(32, "ca 08 00", 16, "retf 8");
	stack_is(64, "c8 20 00 00", -40, "enter 32, 0");
	stack_is(32, "c8 10 00 02", -28, "enter 16, 2");

	struct insn in;

	dec(&in, 64, "c9");
	check(insn_moves_stack(&in) && insn_writes_sp(&in) && insn_is_pop(&in) &&
	      !(in.attr & INSN_ATTR_SP_DELTA), "m64 leave writes SP, no fixed delta");
	dec(&in, 64, "5c");
	check(insn_is_pop(&in) && insn_writes_sp(&in) && !(in.attr & INSN_ATTR_SP_DELTA),
	      "m64 pop rsp writes SP");
	dec(&in, 64, "48 cf");
	check(insn_is_iret(&in) && insn_moves_stack(&in), "m64 iretq moves the stack");
	dec(&in, 64, "48 89 e5");
	check(!insn_moves_stack(&in) && !insn_writes_sp(&in), "m64 mov rbp, rsp: no SP effect");
}

static void test_writes_sp(void)
{
	static const struct { int mode; const char *hex; int yes; const char *name; } t[] = {
		{ 64, "48 89 c4", 1, "mov rsp, rax" },
		{ 64, "48 8b e5", 1, "mov rsp, rbp" },
		{ 64, "48 83 ec 20", 1, "sub rsp, 32" },
		{ 64, "48 83 c4 20", 1, "add rsp, 32" },
		{ 64, "48 81 e4 00 ff ff ff", 1, "and rsp, -256" },
		{ 32, "83 ec 10", 1, "sub esp, 16" },
		{ 32, "81 c4 00 01 00 00", 1, "add esp, 256" },
		{ 64, "48 8d 64 24 08", 1, "lea rsp, [rsp+8]" },
		{ 32, "8d 65 f4", 1, "lea esp, [ebp-12]" },
		{ 64, "48 87 e0", 1, "xchg rax, rsp (87)" },
		{ 64, "48 94", 1, "xchg rax, rsp (94)" },
		{ 32, "bc 00 10 00 00", 1, "mov esp, imm32" },
		{ 64, "40 88 c4", 1, "mov spl, al" },
		{ 64, "48 ff c4", 1, "inc rsp" },
		{ 32, "44", 1, "inc esp (32-bit)" },
		{ 64, "66 0f 7e c4", 1, "movd esp, xmm0" },
		{ 64, "c4 e2 78 f2 e0", 1, "andn esp, eax, eax (VEX)" },
		{ 64, "0f b2 20", 1, "lss esp, [rax]" },
		{ 64, "48 89 e5", 0, "mov rbp, rsp" },
		{ 64, "48 83 fc 10", 0, "cmp rsp, 16" },
		{ 64, "48 85 e4", 0, "test rsp, rsp" },
		{ 64, "88 c4", 0, "mov ah, al" },
		{ 64, "49 89 c4", 0, "mov r12, rax" },
		{ 64, "44 8b e0", 0, "mov r12d, eax" },
		{ 64, "48 89 24 24", 0, "mov [rsp], rsp" },
		{ 64, "48 8b 04 24", 0, "mov rax, [rsp]" },
	};
	char name[128];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "writes SP: %s", t[i].name);
		attr_is(t[i].mode, t[i].hex, INSN_ATTR_WRITES_SP, t[i].yes, name);
	}
}

static void test_classes(void)
{
	attr_is(64, "c3", INSN_ATTR_RET, 1, "ret");
	attr_is(64, "c2 08 00", INSN_ATTR_RET, 1, "ret imm16");
	attr_is(64, "cb", INSN_ATTR_FAR_RET, 1, "retf");
	attr_is(64, "48 cf", INSN_ATTR_IRET, 1, "iretq");
	attr_is(32, "cf", INSN_ATTR_IRET, 1, "iretd");
	attr_is(64, "cc", INSN_ATTR_INT, 1, "int3");
	attr_is(64, "cd 80", INSN_ATTR_INT, 1, "int 0x80");
	attr_is(32, "ce", INSN_ATTR_INT, 1, "into");
	attr_is(64, "f1", INSN_ATTR_INT, 1, "int1");
	attr_is(64, "ff e0", INSN_ATTR_INDIRECT_JMP, 1, "jmp rax");
	attr_is(64, "41 ff 24 c4", INSN_ATTR_INDIRECT_JMP, 1, "jmp [r12+rax*8]");
	attr_is(64, "ff 10", INSN_ATTR_INDIRECT_CALL, 1, "call [rax]");
	attr_is(64, "ff 18", INSN_ATTR_FAR_CALL, 1, "call far [rax]");
	attr_is(64, "ff 28", INSN_ATTR_FAR_JMP, 1, "jmp far [rax]");
	attr_is(32, "ea 00 00 00 00 08 00", INSN_ATTR_FAR_JMP, 1, "jmp far ptr");
	attr_is(32, "9a 00 00 00 00 08 00", INSN_ATTR_FAR_CALL, 1, "call far ptr");
	attr_is(64, "0f 05", INSN_ATTR_SYSCALL, 1, "syscall");
	attr_is(64, "48 0f 07", INSN_ATTR_SYSCALL, 1, "sysretq");
	attr_is(64, "48 0f 07", INSN_ATTR_PRIVILEGED, 1, "sysretq privileged");
	attr_is(32, "0f 34", INSN_ATTR_SYSCALL, 1, "sysenter");
	attr_is(32, "0f 35", INSN_ATTR_SYSCALL, 1, "sysexit");
	attr_is(64, "f4", INSN_ATTR_HLT, 1, "hlt");
	attr_is(64, "f4", INSN_ATTR_PRIVILEGED, 1, "hlt privileged");
	attr_is(64, "fa", INSN_ATTR_IF, 1, "cli");
	attr_is(64, "fb", INSN_ATTR_IF, 1, "sti");
	attr_is(64, "9d", INSN_ATTR_IF, 1, "popf");
	attr_is(64, "8e d8", INSN_ATTR_MOV_SEG, 1, "mov ds, ax");
	attr_is(32, "17", INSN_ATTR_MOV_SEG, 1, "pop ss");
	attr_is(64, "0f 22 d8", INSN_ATTR_PRIVILEGED, 1, "mov cr3, rax");
	attr_is(64, "0f 20 d8", INSN_ATTR_PRIVILEGED, 1, "mov rax, cr3");
	attr_is(64, "44 0f 22 c0", INSN_ATTR_PRIVILEGED, 1, "mov cr8, rax");
	attr_is(64, "0f 23 f8", INSN_ATTR_PRIVILEGED, 1, "mov dr7, rax");
	attr_is(64, "0f 01 15 00 00 00 00", INSN_ATTR_PRIVILEGED, 1, "lgdt [rip]");
	attr_is(64, "0f 01 38", INSN_ATTR_PRIVILEGED, 1, "invlpg [rax]");
	attr_is(64, "0f 30", INSN_ATTR_PRIVILEGED, 1, "wrmsr");
	attr_is(64, "0f 01 f8", INSN_ATTR_PRIVILEGED, 1, "swapgs");
	attr_is(64, "0f 01 c1", INSN_ATTR_TRAP, 1, "vmcall");
	attr_is(64, "0f 0b", INSN_ATTR_TRAP, 1, "ud2 traps");
	attr_is(64, "e4 60", INSN_ATTR_IO, 1, "in al, 0x60");
	attr_is(64, "ee", INSN_ATTR_IO, 1, "out dx, al");
	attr_is(64, "f3 6c", INSN_ATTR_IO, 1, "rep insb");
	attr_is(64, "f3 6c", INSN_ATTR_REP, 1, "rep insb has rep");
	attr_is(64, "f3 a4", INSN_ATTR_REP, 1, "rep movsb");
	attr_is(64, "f3 48 ab", INSN_ATTR_REP, 1, "rep stosq");
	attr_is(64, "f2 ae", INSN_ATTR_REP, 1, "repne scasb");
	attr_is(64, "f3 c3", INSN_ATTR_REP, 0, "rep ret is not a string op");
	attr_is(64, "f0 48 0f b1 0a", INSN_ATTR_LOCK, 1, "lock cmpxchg");
	attr_is(64, "f0 ff 00", INSN_ATTR_LOCK, 1, "lock inc [rax]");
	attr_is(64, "87 00", INSN_ATTR_LOCK, 0, "xchg without lock prefix");
	attr_is(64, "dd d8", INSN_ATTR_X87, 1, "fstp st0");
	attr_is(64, "0f 31", INSN_ATTR_PRIVILEGED, 0, "rdtsc is not privileged");

	struct insn in;

	dec(&in, 64, "48 8b 05 10 00 00 00");
	check(!insn_needs_emulation(&in), "m64 rip-relative load can run out of line");
	dec(&in, 64, "48 89 c3");
	check(!insn_needs_emulation(&in), "m64 mov rbx, rax can run out of line");
	dec(&in, 64, "eb 00");
	check(insn_needs_emulation(&in), "m64 jmp needs emulation");
	dec(&in, 64, "c3");
	check(insn_needs_emulation(&in), "m64 ret needs emulation");
	dec(&in, 64, "9d");
	check(insn_needs_emulation(&in), "m64 popf needs emulation");
	dec(&in, 64, "f4");
	check(insn_needs_emulation(&in), "m64 hlt needs emulation");
}

static void test_fields(void)
{
	struct insn in;
	int n;

	n = dec(&in, 64, "f0 2e 66 41 81 44 24 08 34 12");
	check(n == 10 && (in.prefixes & INSN_PFX_LOCK) && (in.prefixes & INSN_PFX_OPSIZE) &&
	      (in.prefixes & INSN_PFX_SEG) && in.seg == 0x2e && in.num_prefixes == 3 &&
	      in.rex == 0x41 && in.opsize == 2 && in.has_sib && in.disp_size == 1 &&
	      in.imm_size == 2 && in.imm == 0x1234 && in.imm_offset == 8,
	      "m64 lock cs add word [r12+8], 0x1234: all fields");
	n = dec(&in, 64, "c4 e2 f9 99 c1");
	check(n == 5 && in.vex_kind == INSN_VEX_VEX3 && in.map == INSN_MAP_0F38 &&
	      in.opcode == 0x99 && in.vex_w == 1 && in.vex_pp == 1 && in.vex_vvvv == 0,
	      "m64 VEX3 fields");
	n = dec(&in, 64, "62 f1 7c 48 10 44 24 01");
	check(n == 8 && in.vex_kind == INSN_VEX_EVEX && in.map == INSN_MAP_0F && in.vex_l == 2 &&
	      in.disp == 1 && in.disp_offset == 7, "m64 EVEX fields");
	n = dec(&in, 32, "c8 10 00 01");
	check(n == 4 && in.imm == 0x10 && in.imm_size == 2 && in.imm2 == 1 && in.imm2_size == 1 &&
	      in.imm2_offset == 3, "m32 enter: imm16 + imm8");
	n = dec(&in, 32, "9a 78 56 34 12 34 12");
	check(n == 7 && in.imm == 0x12345678 && in.imm2 == 0x1234 && in.imm2_offset == 5,
	      "m32 far pointer: offset then selector");
	n = dec(&in, 64, "67 48 8b 00");
	check(n == 4 && in.addrsize == 4 && in.opsize == 8, "m64 67 + REX.W: sizes");
	n = dec(&in, 64, "66 0f 3a 0f c1 08");
	check(n == 6 && in.map == INSN_MAP_0F3A && in.opcode == 0x0f && in.mandatory == 0x66 &&
	      in.imm == 8, "m64 0F3A map and mandatory 66");
	n = dec(&in, 64, "f2 66 0f 38 f1 c0");
	check(n == 6 && in.mandatory == 0xf2 && in.opsize == 2, "m64 crc32w: F2 mandatory, 66 opsize");
}

int main(void)
{
	test_lengths();
	test_errors();
	test_rip_relative();
	test_branches();
	test_stack();
	test_writes_sp();
	test_classes();
	test_fields();
	printf("1..%d\n", passed + failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
