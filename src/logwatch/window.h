/*
 * logwatch/window.h - exact sliding-window event counter.
 *
 * DESCRIPTION
 *   "More than LIMIT events within SPAN seconds" is decided exactly by
 *   keeping the timestamps of the last LIMIT+1 events in a ring: the rule
 *   fires when the ring is full and its oldest entry is less than SPAN old.
 *   This is the semantics of the policy service's rate rules (count > limit
 *   in any window of SPAN seconds).  The ring grows on demand, so a key with
 *   few events costs a few bytes.  Timestamps that go backwards (clock
 *   steps, interleaved files) are inserted as they come: the counter then
 *   errs towards counting them inside the window.
 *
 * LIMITS
 *   limit <= 1,000,000 (the ring is limit+1 entries of 8 bytes).
 */
#ifndef MW_LOGWATCH_WINDOW_H
#define MW_LOGWATCH_WINDOW_H

#include <stdint.h>

typedef struct mw_window {
	int64_t *ts;
	uint32_t cap, n, head; /* head = index of the oldest entry */
} mw_window;

/* mw_window_add - record an event at t; returns the number of events in
 * (t - span, t], capped at limit + 1.  Returns 0 on allocation failure. */
uint32_t mw_window_add(mw_window *w, int64_t t, uint32_t limit, int64_t span);
/* mw_window_free - release the ring */
void mw_window_free(mw_window *w);

#endif
