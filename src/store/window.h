/*
 * store/window.h - sliding-window counter with sub-buckets (the state that
 * every store keeps per key).
 *
 * DESCRIPTION
 *   A window of length W is cut into B = MW_RL_SLOTS - 1 sub-buckets of
 *   width w = ceil(W / B) ms.  A key keeps B + 1 counters in a ring: the
 *   current (partial) bucket and the B before it, plus the index of the
 *   newest bucket.  The count is the sum of all B + 1 counters, i.e. every
 *   event in [(now/w - B) * w, now]: that span always contains the true
 *   window [now - W, now] and is at most w longer.  So the count never
 *   undercounts (a burst at a window edge cannot slip through, unlike fixed
 *   windows), and an event is forgotten at most w = W/15 late.
 *   Memory: 8 + 4 + 4*MW_RL_SLOTS = 76 bytes per key, whatever the rate.
 *   See docs/SERVE.md ("Why sub-bucket windows") for the comparison with
 *   fixed windows, sliding logs and GCRA.
 *
 * OWNERSHIP
 *   Plain value, embed it; nothing to free.
 */
#ifndef MW_STORE_WINDOW_H
#define MW_STORE_WINDOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/limits.h"

typedef struct mw_window {
	int64_t head;      /* index of the newest bucket: now_ms / width_ms */
	uint32_t width_ms; /* sub-bucket width; 0 = empty state */
	uint32_t slot[MW_RL_SLOTS];
} mw_window;

/* mw_window_width - sub-bucket width for a window length (>= 1 ms) */
static inline uint32_t mw_window_width(int64_t window_ms)
{
	int64_t b = MW_RL_SLOTS - 1;
	int64_t w = (window_ms + b - 1) / b;
	return (uint32_t)(w < 1 ? 1 : w);
}

/* mw_window_advance - move the ring to now, clearing buckets that left it;
 * a changed window length starts from zero */
static inline void mw_window_advance(mw_window *win, int64_t window_ms, int64_t now_ms)
{
	uint32_t width = mw_window_width(window_ms);
	int64_t idx = now_ms / width;
	if (win->width_ms != width || idx - win->head >= MW_RL_SLOTS) {
		memset(win->slot, 0, sizeof(win->slot));
		win->width_ms = width;
		win->head = idx;
		return;
	}
	for (int64_t i = win->head + 1; i <= idx; i++)
		win->slot[i % MW_RL_SLOTS] = 0;
	if (idx > win->head)
		win->head = idx; /* a clock step backwards keeps the newer head */
}

/* mw_window_sum - events in the window (see above) */
static inline uint64_t mw_window_sum(const mw_window *win)
{
	uint64_t s = 0;
	for (int i = 0; i < MW_RL_SLOTS; i++)
		s += win->slot[i];
	return s;
}

/* mw_window_add - advance to now, add n (saturating), return the count */
static inline uint64_t mw_window_add(mw_window *win, int64_t window_ms, uint32_t n, int64_t now_ms)
{
	mw_window_advance(win, window_ms, now_ms);
	uint32_t *s = &win->slot[win->head % MW_RL_SLOTS];
	*s = (UINT32_MAX - *s < n) ? UINT32_MAX : *s + n;
	return mw_window_sum(win);
}

/* mw_window_idle - true when nothing in the window remains at now */
static inline bool mw_window_idle(const mw_window *win, int64_t now_ms)
{
	return win->width_ms == 0 || now_ms / win->width_ms - win->head >= MW_RL_SLOTS ||
	       mw_window_sum(win) == 0;
}

#endif
