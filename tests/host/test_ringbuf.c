/* Host unit tests for lib/ringbuf.c. TAP-ish output. */
#include <limits.h>
#include <stdio.h>
#include "lib/ringbuf.h"

static int passed, failed;

static void check(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", passed + failed + 1, what);
	if (ok)
		passed++;
	else
		failed++;
}

struct item {
	unsigned seq;
	char pad[9];	/* an odd size: slots are not a power of two bytes */
};

static unsigned peek_seq(struct ringbuf *rb, unsigned long i)
{
	struct item *it = ringbuf_peek(rb, i);

	return it ? it->seq : ~0u;
}

/* Put seq numbers first..first+n-1; returns how many were accepted. */
static int put_seqs(struct ringbuf *rb, unsigned first, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++) {
		struct item it = { first + i, "padding" };
		ok += ringbuf_put(rb, &it) == 0;
	}
	return ok;
}

static void test_init(void)
{
	struct item mem[8];
	struct ringbuf rb = { 0 };

	check(ringbuf_init(&rb, mem, sizeof(mem[0]), 6) == -1, "capacity 6 (not a power of two) refused");
	check(rb.mem == NULL, "refused init leaves the ring alone");
	check(ringbuf_init(&rb, mem, sizeof(mem[0]), 0) == -1, "capacity 0 refused");
	check(ringbuf_init(&rb, mem, 0, 8) == -1, "item size 0 refused");
	check(ringbuf_init(&rb, NULL, sizeof(mem[0]), 8) == -1, "no memory refused");
	check(ringbuf_init(&rb, mem, sizeof(mem[0]), 8) == 0, "capacity 8 accepted");
	check(ringbuf_capacity(&rb) == 8 && ringbuf_count(&rb) == 0, "empty with capacity 8");
	check(ringbuf_peek(&rb, 0) == NULL, "peek on empty ring is NULL");
	check(ringbuf_init(&rb, mem, sizeof(mem[0]), 1) == 0 && put_seqs(&rb, 0, 2) == 1,
	      "capacity 1 holds one item");
}

static void test_order(void)
{
	struct item mem[8];
	struct ringbuf rb;
	int ok = 1;

	ringbuf_init(&rb, mem, sizeof(mem[0]), 8);
	check(put_seqs(&rb, 100, 5) == 5, "5 puts into 8 slots succeed");
	check(ringbuf_count(&rb) == 5, "count is 5");
	for (unsigned i = 0; i < 5; i++)
		ok &= peek_seq(&rb, i) == 100 + i;
	check(ok, "peek(i) gives items oldest first");
	check(ringbuf_peek(&rb, 5) == NULL, "peek past the last item is NULL");
	ringbuf_consume(&rb, 2);
	check(ringbuf_count(&rb) == 3 && peek_seq(&rb, 0) == 102, "consume(2) drops the two oldest");
	ringbuf_consume(&rb, 100);
	check(ringbuf_count(&rb) == 0 && ringbuf_peek(&rb, 0) == NULL, "consume(n > count) empties, no more");
	check(put_seqs(&rb, 7, 1) == 1 && peek_seq(&rb, 0) == 7, "usable after emptying");
}

static void test_full(void)
{
	struct item mem[4];
	struct ringbuf rb;

	ringbuf_init(&rb, mem, sizeof(mem[0]), 4);
	check(put_seqs(&rb, 0, 10) == 4, "only 4 of 10 puts fit");
	check(rb.dropped == 6, "the 6 refused puts are counted");
	check(peek_seq(&rb, 0) == 0 && peek_seq(&rb, 3) == 3, "the oldest 4 are kept, not overwritten");
	ringbuf_consume(&rb, 1);
	check(put_seqs(&rb, 50, 2) == 1 && rb.dropped == 7, "one slot freed: one put fits, one more drop");
	check(peek_seq(&rb, 0) == 1 && peek_seq(&rb, 3) == 50, "the new item goes after the old ones");
}

static void test_wrap(void)
{
	struct item mem[4];
	struct ringbuf rb;
	int ok = 1;

	ringbuf_init(&rb, mem, sizeof(mem[0]), 4);
	/* Counters just below their wrap point: head and tail overflow mid-test. */
	rb.head = rb.tail = ULONG_MAX - 1;
	check(put_seqs(&rb, 0, 4) == 4 && ringbuf_count(&rb) == 4, "fills across the counter wrap");
	check(rb.head == 2, "head wrapped to 2");
	check(put_seqs(&rb, 4, 1) == 0 && rb.dropped == 1, "full across the wrap is still full");
	for (unsigned i = 0; i < 4; i++)
		ok &= peek_seq(&rb, i) == i;
	check(ok, "order kept across the wrap");
	for (unsigned round = 0; round < 37; round++) {
		ringbuf_consume(&rb, 3);
		ok &= put_seqs(&rb, 1000 + 3 * round, 3) == 3;
		ok &= ringbuf_count(&rb) == 4 && peek_seq(&rb, 3) == 1000 + 3 * round + 2;
	}
	check(ok, "slot indices wrap many times (37 rounds of consume 3, put 3)");
	check(rb.tail == ULONG_MAX - 1 + 111, "tail wrapped too");
}

static void test_reserve(void)
{
	struct item mem[2];
	struct ringbuf rb;
	struct item *slot;

	ringbuf_init(&rb, mem, sizeof(mem[0]), 2);
	slot = ringbuf_reserve(&rb);
	check(slot != NULL && ringbuf_count(&rb) == 0, "a reserved slot is not an item yet");
	slot->seq = 42;
	ringbuf_commit(&rb);
	check(ringbuf_count(&rb) == 1 && peek_seq(&rb, 0) == 42, "commit makes it the next item");
	check(ringbuf_reserve(&rb) == ringbuf_reserve(&rb), "reserving again gives the same slot");
	ringbuf_commit(&rb);
	check(ringbuf_reserve(&rb) == NULL && rb.dropped == 1, "reserve on a full ring fails and counts a drop");
	check(peek_seq(&rb, 0) == 42, "the failed reserve changed nothing");
}

static void test_several(void)
{
	struct item mem[4];
	struct ringbuf rb;

	ringbuf_init(&rb, mem, sizeof(mem[0]), 4);
	put_seqs(&rb, 0, 3);
	ringbuf_consume(&rb, 2);		/* head 3, tail 2: the slots wrap */
	check(ringbuf_room(&rb, 3) == 0 && ringbuf_room(&rb, 4) == -1 && rb.dropped == 0,
	      "room for n says yes only when n fit, and counts nothing");
	for (unsigned long k = 0; k < 3; k++)
		((struct item *)ringbuf_slot(&rb, k))->seq = 100 + k;
	check(ringbuf_count(&rb) == 1, "slots written are not items before the commit");
	ringbuf_commit_n(&rb, 3);
	check(ringbuf_count(&rb) == 4 && peek_seq(&rb, 1) == 100 && peek_seq(&rb, 3) == 102,
	      "commit_n makes all n items visible, in order, across the wrap");
}

static void test_reset(void)
{
	struct item mem[4];
	struct ringbuf rb;

	ringbuf_init(&rb, mem, sizeof(mem[0]), 4);
	put_seqs(&rb, 0, 6);
	ringbuf_reset(&rb);
	check(ringbuf_count(&rb) == 0 && rb.dropped == 0, "reset empties and clears the drop count");
	check(put_seqs(&rb, 20, 4) == 4 && peek_seq(&rb, 0) == 20 && peek_seq(&rb, 3) == 23,
	      "full capacity again after reset, in order");
}

int main(void)
{
	test_init();
	test_order();
	test_full();
	test_wrap();
	test_reserve();
	test_several();
	test_reset();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
