/*
 * bpfprobe: an empty BPF program (r0 = 0; exit) on ubench_target, timed by
 * ubench.ko. Run by the bench-linux init; busybox is the only other user
 * space, so this has no libc: raw system calls, static.
 *
 *	bpfprobe kprobe		a kprobe program on a perf kprobe event at entry
 *	bpfprobe fentry ID	a tracing program through a BPF trampoline; ID
 *	bpfprobe fexit ID	is ubench_target's type id in the module's BTF
 *
 * The program stays attached only while its fd is open, so this process
 * asks the module for both timings: "base" before attaching, "ext
 * bpf_KIND" after, and prints the answers.
 */
#include <linux/bpf.h>
#include <linux/perf_event.h>

#ifdef __x86_64__
#define ARCH "x86_64"
enum { NR_read = 0, NR_write = 1, NR_open = 2, NR_close = 3, NR_ioctl = 16, NR_exit = 60,
       NR_perf_event_open = 298, NR_bpf = 321 };

static long sys(long nr, long a, long b, long c, long d, long e)
{
	long ret;
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
		     : "rcx", "r11", "memory");
	return ret;
}

/* The kernel enters with argc, argv on a 16-byte aligned stack, no return address. */
asm(".globl _start\n_start:\n\txor %ebp, %ebp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall main\n\thlt\n");
#else
#define ARCH "i386"
enum { NR_exit = 1, NR_read = 3, NR_write = 4, NR_open = 5, NR_close = 6, NR_ioctl = 54,
       NR_perf_event_open = 336, NR_bpf = 357 };

/* int $0x80: arguments in ebx, ecx, edx, esi, edi. */
static long sys(long nr, long a, long b, long c, long d, long e)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return ret;
}

asm(".globl _start\n_start:\n\txor %ebp, %ebp\n\tmov %esp, %eax\n\tand $-16, %esp\n\tsub $12, %esp\n\tpush %eax\n\tcall main\n\thlt\n");
#endif

/* gcc may call these for struct copies and zeroing. */
void *memset(void *p, int c, unsigned long n)
{
	while (n--)
		((volatile char *)p)[n] = (char)c;
	return p;
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys(NR_write, 1, (long)s, len(s), 0, 0);
}

/* The failure line ubench.ko would write, so the table shows why. */
static const char *scenario = "bpf_kprobe";

static void fail(const char *what, long err)
{
	char num[24], *p = num + sizeof(num) - 1;
	unsigned long v = err < 0 ? -err : err;

	*p = 0;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	say("BENCH {\"arch\":\"" ARCH "\",\"scenario\":\"");
	say(scenario);
	say("\",\"error\":\"");
	say(what);
	say(" failed (-");
	say(p);
	say(")\"}\n");
	sys(NR_exit, 1, 0, 0, 0, 0);
}

/* One command to /proc/ubench, its answer to stdout (as the init's ub). */
static void ubench(const char *cmd)
{
	static char buf[1024];
	long fd = sys(NR_open, (long)"/proc/ubench", 1 /* O_WRONLY */, 0, 0, 0), n;

	if (fd < 0)
		fail("open /proc/ubench", fd);
	sys(NR_write, fd, (long)cmd, len(cmd), 0, 0);
	sys(NR_close, fd, 0, 0, 0, 0);
	fd = sys(NR_open, (long)"/proc/ubench", 0 /* O_RDONLY */, 0, 0, 0);
	n = sys(NR_read, fd, (long)buf, sizeof(buf), 0, 0);
	if (n > 0)
		sys(NR_write, 1, (long)buf, n, 0, 0);
	sys(NR_close, fd, 0, 0, 0, 0);
}

/* The kprobe PMU's type number, from sysfs. */
static int kprobe_pmu(void)
{
	char buf[16];
	long fd = sys(NR_open, (long)"/sys/bus/event_source/devices/kprobe/type", 0, 0, 0, 0), n;
	int v = 0;

	if (fd < 0)
		fail("open kprobe PMU type", fd);
	n = sys(NR_read, fd, (long)buf, sizeof(buf), 0, 0);
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + buf[i] - '0';
	sys(NR_close, fd, 0, 0, 0, 0);
	return v;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static unsigned long number(const char *s)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + *s++ - '0';
	return v;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	return sys(NR_bpf, cmd, (long)attr, sizeof(*attr), 0, 0);
}

/* An fd for the BTF object of module "ubench" (the target's types). */
static long module_btf(void)
{
	static union bpf_attr a;
	static struct bpf_btf_info info;
	static char name[64];
	unsigned id = 0;
	long fd;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (bpf(BPF_BTF_GET_NEXT_ID, &a) < 0)
			fail("no BTF object named ubench:", 2);
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.btf_id = id;
		if ((fd = bpf(BPF_BTF_GET_FD_BY_ID, &a)) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(name, 0, sizeof(name));
		info.name = (unsigned long)name;
		info.name_len = sizeof(name);
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (unsigned long)&info;
		if (bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0 && streq(name, "ubench"))
			return fd;
		sys(NR_close, fd, 0, 0, 0, 0);
	}
}

/* The program, loaded: kprobe, or fentry/fexit on BTF type id btf_id. */
static long load(const char *kind, unsigned long btf_id)
{
	static struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[4096];
	static union bpf_attr a;
	long fd;

	a.prog_type = BPF_PROG_TYPE_KPROBE;
	if (!streq(kind, "kprobe")) {
		a.prog_type = BPF_PROG_TYPE_TRACING;
		a.expected_attach_type = streq(kind, "fentry") ? BPF_TRACE_FENTRY : BPF_TRACE_FEXIT;
		a.attach_btf_id = btf_id;
		a.attach_btf_obj_fd = module_btf();
	}
	a.insn_cnt = 2;
	a.insns = (unsigned long)prog;
	a.license = (unsigned long)"GPL";
	a.log_level = 1;
	a.log_buf = (unsigned long)log;
	a.log_size = sizeof(log);
	fd = bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		say(log);
		fail("BPF_PROG_LOAD", fd);
	}
	return fd;
}

/* A perf kprobe event at ubench_target's entry, running prog. */
static void attach_kprobe(long prog)
{
	static struct perf_event_attr pe;
	long fd, err;

	pe.type = kprobe_pmu();
	pe.size = sizeof(pe);
	pe.config1 = (unsigned long)"ubench_target";	/* kprobe_func */
	pe.config2 = 0;					/* probe_offset */
	pe.sample_period = 1;
	pe.wakeup_events = 1;
	fd = sys(NR_perf_event_open, (long)&pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		fail("perf_event_open kprobe", fd);
	if ((err = sys(NR_ioctl, fd, PERF_EVENT_IOC_SET_BPF, prog, 0, 0)) < 0)
		fail("PERF_EVENT_IOC_SET_BPF", err);
	if ((err = sys(NR_ioctl, fd, PERF_EVENT_IOC_ENABLE, 0, 0, 0)) < 0)
		fail("PERF_EVENT_IOC_ENABLE", err);
}

int main(long *sp)
{
	static union bpf_attr a;
	static char ext[32] = "ext bpf_";
	char **argv = (char **)(sp + 1);
	const char *kind = sp[0] > 1 ? argv[1] : "";
	long prog, err;
	unsigned n = 8;

	if (!streq(kind, "kprobe") && !((streq(kind, "fentry") || streq(kind, "fexit")) && sp[0] > 2)) {
		say("usage: bpfprobe kprobe | fentry BTF_ID | fexit BTF_ID\n");
		sys(NR_exit, 2, 0, 0, 0, 0);
	}
	for (const char *k = kind; *k && n < sizeof(ext) - 1; k++)
		ext[n++] = *k;
	scenario = ext + 4;
	ubench("base");
	prog = load(kind, sp[0] > 2 ? number(argv[2]) : 0);
	if (streq(kind, "kprobe")) {
		attach_kprobe(prog);
	} else {
		a.raw_tracepoint.prog_fd = prog;	/* name 0: the program's own target */
		if ((err = bpf(BPF_RAW_TRACEPOINT_OPEN, &a)) < 0)
			fail("BPF_RAW_TRACEPOINT_OPEN", err);
	}
	ubench(ext);
	sys(NR_exit, 0, 0, 0, 0, 0);
	return 0;
}
