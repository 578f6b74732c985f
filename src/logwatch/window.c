/*
 * logwatch/window.c - sliding-window counter (see window.h).
 */
#include "logwatch/window.h"

#include <stdlib.h>

/* grow - make room for at least one more entry, up to limit+1 */
static int grow(mw_window *w, uint32_t want)
{
	uint32_t cap = w->cap ? w->cap * 2 : 4;
	if (cap > want)
		cap = want;
	int64_t *ts = malloc(sizeof(int64_t) * cap);
	if (!ts)
		return -1;
	for (uint32_t i = 0; i < w->n; i++)
		ts[i] = w->ts[(w->head + i) % w->cap];
	free(w->ts);
	w->ts = ts;
	w->cap = cap;
	w->head = 0;
	return 0;
}

/* mw_window_add - push t, expire, count */
uint32_t mw_window_add(mw_window *w, int64_t t, uint32_t limit, int64_t span)
{
	uint32_t want = limit + 1;
	/* expire entries that fell out of the window */
	while (w->n && w->ts[w->head] <= t - span) {
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
	if (w->n == w->cap && w->cap < want && grow(w, want) != 0)
		return 0;
	if (w->n == w->cap) { /* full at limit+1: drop the oldest */
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
	w->ts[(w->head + w->n) % w->cap] = t;
	w->n++;
	return w->n;
}

/* mw_window_free - release */
void mw_window_free(mw_window *w)
{
	free(w->ts);
	w->ts = NULL;
	w->cap = w->n = w->head = 0;
}
