/*
 * logwatch/pipeline.c - two-stage (parse | correlate) log scanning (see
 * pipeline.h).  Producer: reader thread running mw_logread_fd, copying each
 * line into the current block and parsing it there.  Consumer: the caller,
 * unpacking each event and calling mw_logscan_event in file order.
 */
#include "logwatch/pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

#define MW_PIPE_TEXT (4u << 20)   /* line bytes per block */
#define MW_PIPE_EVENTS 32768      /* lines per block */
#define MW_PIPE_BLOCKS 3          /* blocks in rotation */
#define MW_PIPE_NONE UINT32_MAX  /* offset of an unset field */

/* the fields mw_logscan_event reads, as offsets into the line */
enum { F_QID, F_CIP, F_USER, F_FROM, F_TO, F_NRCPT, F_STATUS, F_DSN, F_REPLY, F_ENH,
       F_CODE, F_RELAY, F_TEXT, F_UID, F_DSNQID, F_METHOD, F_COUNT };

typedef struct packed {
	int64_t ts;
	uint32_t line, len; /* line offset in the block text, length */
	uint8_t kind, mta;
	uint32_t off[F_COUNT], n[F_COUNT];
} packed;

typedef struct block {
	char *text;
	size_t used;
	packed *ev;
	size_t n;
	bool last;
} block;

typedef struct pipe_state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	block blocks[MW_PIPE_BLOCKS];
	int full[MW_PIPE_BLOCKS]; /* queue of filled block indexes, in order */
	int nfull, head;
	bool busy[MW_PIPE_BLOCKS]; /* owned by producer or consumer */
	int cur;                   /* producer's block */
	bool stop;                 /* consumer gave up */
	/* producer inputs/outputs */
	int fd;
	mw_logtime_ctx tc;
	mw_progress_fn progress;
	void *pctx;
	mw_logread_stats st;
	mw_err err;
	mw_status rc;
} pipe_state;

static const size_t field_off[F_COUNT] = {
	offsetof(mw_logev, qid),     offsetof(mw_logev, client_ip), offsetof(mw_logev, sasl_user),
	offsetof(mw_logev, from),    offsetof(mw_logev, to),        offsetof(mw_logev, nrcpt),
	offsetof(mw_logev, status),  offsetof(mw_logev, dsn),       offsetof(mw_logev, reply),
	offsetof(mw_logev, enhanced), offsetof(mw_logev, code),     offsetof(mw_logev, relay_host),
	offsetof(mw_logev, text),    offsetof(mw_logev, uid),       offsetof(mw_logev, dsn_qid),
	offsetof(mw_logev, sasl_method),
};

/* pack - event views as offsets from the line start */
static void pack(packed *pk, const mw_logev *ev, const char *line)
{
	pk->ts = ev->ts;
	pk->kind = (uint8_t)ev->kind;
	pk->mta = (uint8_t)ev->mta;
	for (int i = 0; i < F_COUNT; i++) {
		const mw_sv *v = (const mw_sv *)((const char *)ev + field_off[i]);
		pk->off[i] = v->p ? (uint32_t)(v->p - line) : MW_PIPE_NONE;
		pk->n[i] = (uint32_t)v->n;
	}
}

/* unpack - back into views; ev's other fields stay as they were (zero) */
static void unpack(mw_logev *ev, const packed *pk, const char *line)
{
	ev->ts = pk->ts;
	ev->kind = (mw_logev_kind)pk->kind;
	ev->mta = (mw_logmta)pk->mta;
	for (int i = 0; i < F_COUNT; i++) {
		mw_sv *v = (mw_sv *)((char *)ev + field_off[i]);
		v->p = pk->off[i] == MW_PIPE_NONE ? NULL : line + pk->off[i];
		v->n = pk->n[i];
	}
}

/* hand_off - queue the producer's block and take a free one (blocks while
 * all are in use); false when the consumer stopped */
static bool hand_off(pipe_state *ps, bool last)
{
	pthread_mutex_lock(&ps->mu);
	ps->blocks[ps->cur].last = last;
	ps->full[(ps->head + ps->nfull) % MW_PIPE_BLOCKS] = ps->cur;
	ps->nfull++;
	pthread_cond_broadcast(&ps->cv);
	int next = -1;
	while (!last && !ps->stop) {
		for (int i = 0; i < MW_PIPE_BLOCKS; i++)
			if (!ps->busy[i]) {
				next = i;
				break;
			}
		if (next >= 0)
			break;
		pthread_cond_wait(&ps->cv, &ps->mu);
	}
	if (next >= 0) {
		ps->busy[next] = true;
		ps->cur = next;
		ps->blocks[next].used = ps->blocks[next].n = 0;
	}
	bool ok = !ps->stop;
	pthread_mutex_unlock(&ps->mu);
	return ok;
}

/* on_line - producer callback: copy, parse, pack */
static int on_line(void *ctx, const char *line, size_t len)
{
	pipe_state *ps = ctx;
	block *b = &ps->blocks[ps->cur];
	if (b->n == MW_PIPE_EVENTS || b->used + len > MW_PIPE_TEXT) {
		if (!hand_off(ps, false))
			return 1;
		b = &ps->blocks[ps->cur];
	}
	char *copy = b->text + b->used;
	memcpy(copy, line, len);
	mw_logev ev;
	mw_logline_parse(&ps->tc, copy, len, &ev);
	packed *pk = &b->ev[b->n++];
	pack(pk, &ev, copy);
	pk->line = (uint32_t)b->used;
	pk->len = (uint32_t)len;
	b->used += len;
	return 0;
}

/* producer - thread body */
static void *producer(void *arg)
{
	pipe_state *ps = arg;
	ps->rc = mw_logread_fd(ps->fd, on_line, ps, ps->progress, ps->pctx, &ps->st, &ps->err);
	hand_off(ps, true);
	return NULL;
}

/* consume - feed one block to the scanner */
static void consume(mw_logscan *s, const block *b)
{
	mw_logev ev;
	memset(&ev, 0, sizeof(ev));
	for (size_t i = 0; i < b->n; i++) {
		const packed *pk = &b->ev[i];
		const char *line = b->text + pk->line;
		unpack(&ev, pk, line);
		mw_logscan_event(s, &ev, line, pk->len);
	}
}

typedef struct seq_ctx {
	mw_logscan *s;
	mw_logtime_ctx tc; /* a copy: its stamp cache changes as lines are read */
} seq_ctx;

static int seq_line(void *ctx, const char *line, size_t len)
{
	seq_ctx *c = ctx;
	mw_logscan_line(c->s, &c->tc, line, len);
	return 0;
}

/* free_blocks - release block memory */
static void free_blocks(pipe_state *ps)
{
	for (int i = 0; i < MW_PIPE_BLOCKS; i++) {
		free(ps->blocks[i].text);
		free(ps->blocks[i].ev);
	}
}

/* mw_logscan_fd - see pipeline.h */
mw_status mw_logscan_fd(mw_logscan *s, int fd, const mw_logtime_ctx *tc, int threads,
			mw_progress_fn progress, void *pctx, mw_logread_stats *st, mw_err *err)
{
	if (threads < 2) {
		seq_ctx c = {s, *tc};
		return mw_logread_fd(fd, seq_line, &c, progress, pctx, st, err);
	}
	pipe_state *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	for (int i = 0; i < MW_PIPE_BLOCKS; i++) {
		/* a line of MW_LOG_LINE_MAX must fit in an empty block */
		ps->blocks[i].text = malloc(MW_PIPE_TEXT + MW_LOG_LINE_MAX);
		ps->blocks[i].ev = malloc(sizeof(packed) * MW_PIPE_EVENTS);
		if (!ps->blocks[i].text || !ps->blocks[i].ev) {
			free_blocks(ps);
			free(ps);
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		}
	}
	pthread_mutex_init(&ps->mu, NULL);
	pthread_cond_init(&ps->cv, NULL);
	ps->fd = fd;
	ps->tc = *tc;
	ps->progress = progress;
	ps->pctx = pctx;
	ps->busy[0] = true;
	ps->cur = 0;
	pthread_t th;
	if (pthread_create(&th, NULL, producer, ps) != 0) {
		free_blocks(ps);
		free(ps);
		seq_ctx c = {s, *tc};
		return mw_logread_fd(fd, seq_line, &c, progress, pctx, st, err);
	}
	for (bool done = false; !done;) {
		pthread_mutex_lock(&ps->mu);
		while (ps->nfull == 0)
			pthread_cond_wait(&ps->cv, &ps->mu);
		int idx = ps->full[ps->head];
		ps->head = (ps->head + 1) % MW_PIPE_BLOCKS;
		ps->nfull--;
		pthread_mutex_unlock(&ps->mu);
		consume(s, &ps->blocks[idx]);
		done = ps->blocks[idx].last;
		pthread_mutex_lock(&ps->mu);
		ps->busy[idx] = false;
		pthread_cond_broadcast(&ps->cv);
		pthread_mutex_unlock(&ps->mu);
	}
	pthread_join(th, NULL);
	*st = ps->st;
	mw_status rc = ps->rc;
	if (rc != MW_OK && err)
		*err = ps->err;
	pthread_mutex_destroy(&ps->mu);
	pthread_cond_destroy(&ps->cv);
	free_blocks(ps);
	free(ps);
	return rc;
}
