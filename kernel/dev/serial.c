/* COM1, 115200 8N1, polled. A missing UART is detected and skipped. */
#include "kernel/dev/console.h"
#include "kernel/cpu.h"

#define COM1		0x3f8
#define REG_DATA	0
#define REG_IER		1
#define REG_DIVLO	0
#define REG_DIVHI	1
#define REG_FCR		2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_SCRATCH	7
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20
#define MCR_LOOPBACK	0x10

static void serial_putc(char c)
{
	/* Bounded wait: a wedged UART must not hang the kernel. */
	for (int spin = 0; spin < 100000; spin++)
		if (inb(COM1 + REG_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

static void serial_write(struct console *con, const char *s, size_t n)
{
	(void)con;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

static struct console serial_console = {
	.name = "com1",
	.kind = CON_SERIAL,
	.write = serial_write,
};

/* A UART keeps what is written to its scratch register and echoes in loopback. */
static int serial_probe(void)
{
	outb(COM1 + REG_SCRATCH, 0x5a);
	if (inb(COM1 + REG_SCRATCH) != 0x5a)
		return 0;
	outb(COM1 + REG_MCR, MCR_LOOPBACK | 0x0f);
	outb(COM1 + REG_DATA, 0xae);
	for (int spin = 0; spin < 10000; spin++)
		if (inb(COM1 + REG_LSR) & LSR_DATA_READY)
			return inb(COM1 + REG_DATA) == 0xae;
	return 0;
}

int serial_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x80);	/* divisor latch */
	outb(COM1 + REG_DIVLO, 1);	/* 115200 */
	outb(COM1 + REG_DIVHI, 0);
	outb(COM1 + REG_LCR, 0x03);	/* 8N1 */
	outb(COM1 + REG_FCR, 0xc7);	/* FIFO on, cleared */
	if (!serial_probe())
		return 0;
	outb(COM1 + REG_MCR, 0x0b);	/* out of loopback: DTR, RTS, OUT2 */
	console_register(&serial_console);
	return 1;
}

int serial_read_char(void)
{
	if (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + REG_DATA);
}
