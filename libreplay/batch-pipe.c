/*
 * batch-pipe.c — hands batches from the thread that makes them to a thread
 * that stores them, so that SQLite works on one core while the next batch
 * is made on the other: the packet recorder's rows (pcap-trace.c) and the
 * kernel recorders' events (kernel-events.c).  The maker fills `slots`
 * buffers in turn; each handed over is consumed in order, and
 * rp_pipe_put returns once the next buffer in turn is free again.  After a
 * consume fails, the batches still queued are skipped and the maker is
 * told at its next put.  Also the text buffer such batches carry.
 */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>

#define PIPE_MAX_SLOTS 8

struct rp_pipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	rp_pipe_consume_fn consume;
	void *arg;
	void *queue[PIPE_MAX_SLOTS];
	unsigned slots, head, queued;
	int stop, failed;
	struct rp_error err; /* of the first failed consume */
};

static void *pipe_main(void *arg)
{
	struct rp_pipe *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->queued && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->queued)
			break;
		void *batch = p->queue[p->head];
		int failed = p->failed;
		struct rp_error e;
		pthread_mutex_unlock(&p->mu);
		int rc = failed ? 0 : p->consume(p->arg, batch, &e);
		pthread_mutex_lock(&p->mu);
		if (rc && !p->failed) {
			p->failed = 1;
			p->err = e;
		}
		p->head = (p->head + 1) % p->slots;
		p->queued--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct rp_pipe *rp_pipe_start(unsigned slots, rp_pipe_consume_fn consume,
			      void *arg)
{
	struct rp_pipe *p;
	if (slots < 2 || slots > PIPE_MAX_SLOTS || !(p = calloc(1, sizeof *p)))
		return NULL;
	p->slots = slots;
	p->consume = consume;
	p->arg = arg;
	if (pthread_mutex_init(&p->mu, NULL))
		goto no_mutex;
	if (pthread_cond_init(&p->cv, NULL))
		goto no_cond;
	if (pthread_create(&p->thread, NULL, pipe_main, p))
		goto no_thread;
	return p;
no_thread:
	pthread_cond_destroy(&p->cv);
no_cond:
	pthread_mutex_destroy(&p->mu);
no_mutex:
	free(p);
	return NULL;
}

/* -1 with err once a consume failed; call with p->mu held. */
static int pipe_failed(struct rp_pipe *p, struct rp_error *err)
{
	if (p->failed && err)
		*err = p->err;
	return p->failed ? -1 : 0;
}

int rp_pipe_put(struct rp_pipe *p, void *batch, struct rp_error *err)
{
	pthread_mutex_lock(&p->mu);
	p->queue[(p->head + p->queued) % p->slots] = batch;
	p->queued++;
	pthread_cond_broadcast(&p->cv);
	/* the maker's next buffer is the oldest queued when all are */
	while (p->queued == p->slots)
		pthread_cond_wait(&p->cv, &p->mu);
	int rc = pipe_failed(p, err);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int rp_pipe_stop(struct rp_pipe *p, bool discard, struct rp_error *err)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	if (discard)
		p->failed = 1; /* what is queued is skipped */
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	int rc = discard ? 0 : pipe_failed(p, err);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return rc;
}

char *rp_text_reserve(struct rp_text *t, size_t len)
{
	if (t->len + len > t->cap) {
		size_t c = t->cap ? t->cap : 4096;
		while (c < t->len + len)
			c *= 2;
		char *x = realloc(t->p, c);
		if (!x)
			return NULL;
		t->p = x;
		t->cap = c;
	}
	return t->p + t->len;
}
