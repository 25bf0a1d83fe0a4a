/*
 * bpfkprobe: an empty BPF kprobe program (r0 = 0; exit) on ubench_target,
 * timed by ubench.ko. Run by the bench-linux init; busybox is the only
 * other user space, so this has no libc: raw system calls, static.
 *
 * The program stays attached only while its perf event is open, so this
 * process asks the module for both timings: "base" before attaching,
 * "ext bpf_kprobe" after, and prints the answers.
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

/* The kernel enters with the stack 16-byte aligned, no return address. */
asm(".globl _start\n_start:\n\txor %ebp, %ebp\n\tand $-16, %rsp\n\tcall main\n\thlt\n");
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

asm(".globl _start\n_start:\n\txor %ebp, %ebp\n\tand $-16, %esp\n\tcall main\n\thlt\n");
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
static void fail(const char *what, long err)
{
	char num[24], *p = num + sizeof(num) - 1;
	unsigned long v = err < 0 ? -err : err;

	*p = 0;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	say("BENCH {\"arch\":\"" ARCH "\",\"scenario\":\"bpf_kprobe\",\"error\":\"");
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

int main(void)
{
	static struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[4096];
	static union bpf_attr load;
	static struct perf_event_attr pe;
	long pfd, bfd;

	ubench("base");
	load.prog_type = BPF_PROG_TYPE_KPROBE;
	load.insn_cnt = 2;
	load.insns = (unsigned long)prog;
	load.license = (unsigned long)"GPL";
	load.log_level = 1;
	load.log_buf = (unsigned long)log;
	load.log_size = sizeof(log);
	bfd = sys(NR_bpf, BPF_PROG_LOAD, (long)&load, sizeof(load), 0, 0);
	if (bfd < 0) {
		say(log);
		fail("BPF_PROG_LOAD", bfd);
	}
	pe.type = kprobe_pmu();
	pe.size = sizeof(pe);
	pe.config1 = (unsigned long)"ubench_target";	/* kprobe_func */
	pe.config2 = 0;					/* probe_offset */
	pe.sample_period = 1;
	pe.wakeup_events = 1;
	pfd = sys(NR_perf_event_open, (long)&pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		fail("perf_event_open kprobe", pfd);
	if ((bfd = sys(NR_ioctl, pfd, PERF_EVENT_IOC_SET_BPF, bfd, 0, 0)) < 0)
		fail("PERF_EVENT_IOC_SET_BPF", bfd);
	if ((bfd = sys(NR_ioctl, pfd, PERF_EVENT_IOC_ENABLE, 0, 0, 0)) < 0)
		fail("PERF_EVENT_IOC_ENABLE", bfd);
	ubench("ext bpf_kprobe");
	sys(NR_exit, 0, 0, 0, 0, 0);
	return 0;
}
