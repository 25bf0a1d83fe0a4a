/*
 * ubench: uniprobe's benchmark method run inside a stock Linux kernel, so
 * both kernels' probes can be compared on the same QEMU (make bench-linux).
 *
 * Same shape as kernel/bench/bench.c: a noinline target like bench_target,
 * 20 warm-up batches, 200 batches of 100 calls between ordered rdtsc reads,
 * interrupts off, min / median / p99 of the per-batch averages in
 * thousandths of a TSC tick, overhead = probed median - the unprobed median
 * timed just before the probe went in.
 *
 * /proc/ubench takes one command per write and keeps the answer for the
 * next read (the init script cats it to the serial console):
 *
 *	info		the BENCH_INFO line
 *	ID		a kind this module sets up itself: time the unprobed
 *			target, set up, time, tear down; one BENCH line
 *	base		time the unprobed target (before a tracefs set-up)
 *	ext ID		time the target as tracefs left it; overhead over the
 *			last "base"
 */
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <asm/msr.h>
#include <asm/text-patching.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#define WARMUP	20
#define BATCHES	200
#define CALLS	100

#ifdef CONFIG_X86_64
#define ARCH_NAME "x86_64"
#else
#define ARCH_NAME "i386"
#endif

static int icount;
module_param(icount, int, 0444);
MODULE_PARM_DESC(icount, "1: QEMU -icount shift=0, the TSC counts instructions");

static int btf = 1;
module_param(btf, int, 0444);
MODULE_PARM_DESC(btf, "0: no kernel BTF, the bpf_fentry and bpf_fexit kinds will not run");

struct stats {
	long long min, median, p99;	/* thousandths of a TSC tick per call */
};

/* ---- the target: bench_target's body, with its fentry site ---- */

volatile int ubench_sink = 1;

noinline int ubench_target(int x)
{
	return x * 3 + 1;
}

/* One hit, like bench_run_target. notrace: only the target is probed. */
static noinline notrace void run_target(void)
{
	ubench_sink = ubench_target(ubench_sink);
}

/* ---- timing: bench_time() and bench_stats() ---- */

static long long samples[BATCHES];

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static notrace void time_target(struct stats *st)
{
	unsigned long flags;
	unsigned b, i;

	local_irq_save(flags);
	for (b = 0; b < WARMUP + BATCHES; b++) {
		u64 t0 = rdtsc_ordered(), t;

		for (i = 0; i < CALLS; i++)
			run_target();
		t = rdtsc_ordered() - t0;
		if (b >= WARMUP)
			samples[b - WARMUP] = div_u64(t * 1000, CALLS);
	}
	local_irq_restore(flags);
	sort(samples, BATCHES, sizeof(samples[0]), cmp_ll, NULL);
	st->min = samples[0];
	st->median = samples[(BATCHES - 1) / 2];
	st->p99 = samples[(99 * BATCHES + 99) / 100 - 1];	/* nearest rank */
}

/* ---- the kinds ---- */

static int empty_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static int empty_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static notrace void empty_ftrace(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op, struct ftrace_regs *fregs)
{
}

static struct kprobe kp;
static struct kretprobe krp;
static struct ftrace_ops fops;

/*
 * A kprobe on the target at offset, which must run as `want`: the first
 * byte there becomes int3 (0xcc) or an optimized probe's jmp (0xe9); an
 * ftrace-based one (VIA_FTRACE) leaves the text to ftrace. (An optimized
 * probe's flag is on the aggregate Linux wraps it in, not on kp: read the
 * text.)
 */
#define VIA_FTRACE	(-1)
static u8 *probed;
static u8 orig;

/* The optimizer works from a delayed work: wait for it, up to 2 s. */
static int wait_text(u8 *addr, u8 byte)
{
	int i;

	for (i = 0; i < 200 && READ_ONCE(*addr) != byte; i++)
		msleep(10);
	return READ_ONCE(*addr) == byte;
}

static int kprobe_on(unsigned offset, int want)
{
	int err;

	probed = (u8 *)ubench_target + offset;
	orig = *probed;
	kp = (struct kprobe){ .symbol_name = "ubench_target", .offset = offset, .pre_handler = empty_pre };
	err = register_kprobe(&kp);
	if (err)
		return err;
	if (want == VIA_FTRACE ? !(kp.flags & KPROBE_FLAG_FTRACE) : !wait_text(probed, want)) {
		unregister_kprobe(&kp);
		wait_text(probed, orig);
		return -EINVAL;
	}
	return 0;
}

/* The first instruction after the fentry site (a 5-byte call or nop). */
static int setup_kprobe(void)
{
	return kprobe_on(MCOUNT_INSN_SIZE, INT3_INSN_OPCODE);
}

static int setup_optprobe(void)
{
	return kprobe_on(MCOUNT_INSN_SIZE, JMP32_INSN_OPCODE);
}

static int setup_kprobe_entry(void)
{
	return kprobe_on(0, VIA_FTRACE);
}

/* Back to the unprobed text before the next kind times its baseline. */
static void teardown_kprobe(void)
{
	unregister_kprobe(&kp);
	wait_text(probed, orig);
}

static int setup_kretprobe(void)
{
	krp = (struct kretprobe){ .kp.symbol_name = "ubench_target", .handler = empty_ret };
	return register_kretprobe(&krp);
}

static void teardown_kretprobe(void)
{
	unregister_kretprobe(&krp);
}

static int ftrace_on(unsigned long flags)
{
	int err;

	fops = (struct ftrace_ops){ .func = empty_ftrace, .flags = flags };
	err = ftrace_set_filter_ip(&fops, (unsigned long)ubench_target, 0, 0);
	if (!err)
		err = register_ftrace_function(&fops);
	return err;
}

static int setup_ftrace_ops(void)
{
	return ftrace_on(0);
}

static int setup_ftrace_regs(void)
{
	return ftrace_on(FTRACE_OPS_FL_SAVE_REGS);
}

static int setup_ftrace_recursion(void)
{
	return ftrace_on(FTRACE_OPS_FL_RECURSION);
}

static void teardown_ftrace(void)
{
	unregister_ftrace_function(&fops);
	ftrace_free_filter(&fops);
}

/*
 * id: uniprobe's scenario where there is one (compare.md puts them side by
 * side), else a Linux-only id. Kinds without setup are set up by the init
 * script through tracefs, or by bpfprobe ("ext").
 */
struct kind {
	const char *id, *mechanism, *what;
	int (*setup)(void);
	void (*teardown)(void);
};

static const struct kind kinds[] = {
	{ "call", "none", "unprobed call of ubench_target" },
	{ "kprobe_boost", "kprobe (int3; not boosted: CONFIG_PREEMPTION)",
	  "kprobe, empty pre_handler, on the instruction after the fentry site",
	  setup_kprobe, teardown_kprobe },
	{ "optprobe", "kprobe, optimized (jump)", "optimized kprobe, empty pre_handler, same instruction",
	  setup_optprobe, teardown_kprobe },
	{ "kprobe_fentry", "kprobe on ftrace (KPROBES_ON_FTRACE)", "kprobe at the function entry, empty pre_handler",
	  setup_kprobe_entry, teardown_kprobe },
	{ "rethook", "kretprobe (rethook)", "kretprobe, empty handler", setup_kretprobe, teardown_kretprobe },
	{ "ftrace_ops", "ftrace_ops, no flags", "ftrace_ops, empty callback, no flags",
	  setup_ftrace_ops, teardown_ftrace },
	{ "fentry_hook", "ftrace_ops, FTRACE_OPS_FL_SAVE_REGS", "ftrace_ops, empty callback, full pt_regs",
	  setup_ftrace_regs, teardown_ftrace },
	{ "ftrace_ops_recursion", "ftrace_ops, FTRACE_OPS_FL_RECURSION", "ftrace_ops, empty callback, recursion guard",
	  setup_ftrace_recursion, teardown_ftrace },
	{ "ftrace_function", "tracefs: function tracer", "function tracer recording (set_ftrace_filter)" },
	{ "fgraph", "tracefs: function_graph tracer", "function_graph tracer recording (set_ftrace_filter)" },
	{ "kprobe_event", "tracefs: kprobe_events", "kprobe event at the function entry, recording" },
	{ "bpf_kprobe", "BPF kprobe program (perf_event)",
	  "empty BPF program (r0 = 0) on a kprobe at the function entry" },
	{ "bpf_fentry", "BPF fentry program (BPF trampoline)", "empty BPF fentry program" },
	{ "bpf_fexit", "BPF fexit program (BPF trampoline)", "empty BPF fexit program" },
};

static const struct kind *find_kind(const char *id)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].id, id))
			return &kinds[i];
	return NULL;
}

/* ---- output ---- */

static char out[1024];
static struct stats base;
static int have_base;

static const char *fixed(char *buf, size_t size, long long milli)
{
	unsigned long long a = milli < 0 ? -(unsigned long long)milli : milli;
	u32 rem;
	u64 q = div_u64_rem(a, 1000, &rem);

	snprintf(buf, size, "%s%llu.%03u", milli < 0 ? "-" : "", q, rem);
	return buf;
}

static void put_info(void)
{
	unsigned i, n;
	u32 sig[4] = { 0 };
	int hv = boot_cpu_has(X86_FEATURE_HYPERVISOR);

	if (hv)
		cpuid(0x40000000, &sig[3], &sig[0], &sig[1], &sig[2]);
	n = scnprintf(out, sizeof(out), "BENCH_INFO {\"arch\":\"%s\",\"cpu\":\"%s\",\"vendor\":\"%s\","
		      "\"hypervisor\":%s,\"hypervisor_id\":\"%.12s\",\"tsc_hz\":%llu,\"tsc_source\":\"linux tsc_khz\","
		      "\"unit\":\"%s\",\"icount\":%s,\"batches\":%u,\"calls\":%u,\"warmup\":%u,"
		      "\"kernel\":\"Linux %s %s\",\"scenarios\":[",
		      ARCH_NAME, boot_cpu_data.x86_model_id, boot_cpu_data.x86_vendor_id,
		      hv ? "true" : "false", hv ? (char *)sig : "", (unsigned long long)tsc_khz * 1000,
		      icount ? "instructions" : "cycles", icount ? "true" : "false", BATCHES, CALLS, WARMUP,
		      init_utsname()->release, init_utsname()->version);
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (btf || strncmp(kinds[i].id, "bpf_f", 5))
			n += scnprintf(out + n, sizeof(out) - n, "%s\"%s\"", i ? "," : "", kinds[i].id);
	scnprintf(out + n, sizeof(out) - n, "]}\n");
}

static void put_result(const struct kind *k, const struct stats *st, long long overhead)
{
	char min[24], med[24], p99[24], ovh[24], ns[24] = "null";

	if (!icount && tsc_khz)
		fixed(ns, sizeof(ns), div_u64((u64)max(st->median, 0LL) * 1000000, tsc_khz));
	scnprintf(out, sizeof(out), "BENCH {\"arch\":\"%s\",\"scenario\":\"%s\",\"unit\":\"%s\",\"min\":%s,"
		  "\"median\":%s,\"p99\":%s,\"overhead\":%s,\"ns_median\":%s,\"levels\":1,\"what\":\"%s\","
		  "\"mechanism\":\"%s\",\"kernel\":\"%s\"}\n",
		  ARCH_NAME, k->id, icount ? "instructions" : "cycles", fixed(min, sizeof(min), st->min),
		  fixed(med, sizeof(med), st->median), fixed(p99, sizeof(p99), st->p99),
		  fixed(ovh, sizeof(ovh), overhead), ns, k->what, k->mechanism, init_utsname()->release);
}

static void put_error(const char *id, const char *why, int err)
{
	scnprintf(out, sizeof(out), "BENCH {\"arch\":\"%s\",\"scenario\":\"%s\",\"error\":\"%s (%d)\"}\n",
		  ARCH_NAME, id, why, err);
}

/* ---- commands ---- */

static void run_command(char *cmd)
{
	const struct kind *k;
	struct stats own, st;
	int err;

	cmd = strim(cmd);
	if (!strcmp(cmd, "info")) {
		put_info();
	} else if (!strcmp(cmd, "base")) {
		time_target(&base);
		have_base = 1;
		scnprintf(out, sizeof(out), "ubench: base median %lld\n", base.median);
	} else if (!strncmp(cmd, "ext ", 4)) {
		k = find_kind(strim(cmd + 4));
		if (!k || k->setup)
			put_error(strim(cmd + 4), "not a tracefs kind", -EINVAL);
		else if (!have_base)
			put_error(k->id, "no base timed before", -EINVAL);
		else {
			time_target(&st);
			put_result(k, &st, st.median - base.median);
		}
		have_base = 0;
	} else if ((k = find_kind(cmd)) != NULL && (k->setup || !strcmp(k->id, "call"))) {
		time_target(&own);
		if (k->setup && (err = k->setup()) != 0) {
			put_error(k->id, "setup failed", err);
			return;
		}
		time_target(&st);
		if (k->teardown)
			k->teardown();
		put_result(k, &st, st.median - own.median);
	} else {
		scnprintf(out, sizeof(out), "ubench: unknown command '%s'\n", cmd);
	}
}

static ssize_t ubench_write(struct file *f, const char __user *buf, size_t len, loff_t *pos)
{
	char cmd[64];

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, buf, len))
		return -EFAULT;
	cmd[len] = 0;
	run_command(cmd);
	return len;
}

static ssize_t ubench_read(struct file *f, char __user *buf, size_t len, loff_t *pos)
{
	return simple_read_from_buffer(buf, len, pos, out, strlen(out));
}

static const struct proc_ops ubench_ops = {
	.proc_write = ubench_write,
	.proc_read = ubench_read,
};

static int __init ubench_init(void)
{
	return proc_create("ubench", 0600, NULL, &ubench_ops) ? 0 : -ENOMEM;
}

static void __exit ubench_exit(void)
{
	remove_proc_entry("ubench", NULL);
}

module_init(ubench_init);
module_exit(ubench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("uniprobe's benchmark method for Linux's probes");
