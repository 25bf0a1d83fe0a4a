/* A ring of fixed-size items that keeps the oldest and counts refused puts. */
#include "lib/ringbuf.h"
#include "lib/string.h"

/*
 * The item must be complete before head moves, and its slot must be read
 * before tail moves: a consumer or producer may interrupt the other on the
 * same CPU.
 */
static inline void order_stores(void)
{
	__asm__ volatile("" ::: "memory");
}

int ringbuf_init(struct ringbuf *rb, void *mem, size_t item_size, unsigned long capacity)
{
	if (!mem || !item_size || !capacity || (capacity & (capacity - 1)))
		return -1;
	rb->mem = mem;
	rb->item_size = item_size;
	rb->mask = capacity - 1;
	ringbuf_reset(rb);
	return 0;
}

void ringbuf_reset(struct ringbuf *rb)
{
	rb->tail = rb->head;
	rb->dropped = 0;
}

unsigned long ringbuf_count(const struct ringbuf *rb)
{
	return rb->head - rb->tail;
}

unsigned long ringbuf_capacity(const struct ringbuf *rb)
{
	return rb->mask + 1;
}

int ringbuf_put(struct ringbuf *rb, const void *item)
{
	void *slot = ringbuf_reserve(rb);

	if (!slot)
		return -1;
	memcpy(slot, item, rb->item_size);
	ringbuf_commit(rb);
	return 0;
}

void *ringbuf_peek(const struct ringbuf *rb, unsigned long i)
{
	if (i >= ringbuf_count(rb))
		return NULL;
	return rb->mem + ((rb->tail + i) & rb->mask) * rb->item_size;
}

void ringbuf_consume(struct ringbuf *rb, unsigned long n)
{
	unsigned long count = ringbuf_count(rb);

	order_stores();
	rb->tail += n < count ? n : count;
}
