/*
 * outbound/ratelimit.h - rate rules for the outbound guard: which requests
 * count, by which key, in which sliding window, and what happens past each
 * threshold.
 *
 * DESCRIPTION
 *   A rule has
 *     key      fields joined into the counter key, in this order:
 *              sasl_username, client_address, sender, sender_domain,
 *              recipient_domain ("sasl_username+client_address").  Values
 *              are ASCII-lower-cased; a request missing any field is not
 *              counted by that rule (unauthenticated mail has no sasl_username).
 *     count    messages            +1 per message (at END-OF-MESSAGE, or DATA)
 *              recipients          +1 per RCPT request, or +recipient_count at
 *                                  END-OF-MESSAGE/DATA
 *              recipients_per_message  no window: the message's
 *                                  recipient_count is compared directly (cap)
 *              scan_holds          +1 per outbound message the milter's
 *                                  content scan held (mw_rl_scan_hold);
 *                                  policy requests only read the count, so
 *                                  a user past hold = N is answered HOLD at
 *                                  the rule's protocol state
 *     at       END-OF-MESSAGE | DATA | RCPT (protocol_state the rule counts at;
 *              default END-OF-MESSAGE, RCPT for count=recipients)
 *     window   5m, 300s, 1h, 1d ... (store/window.h: never undercounts,
 *              forgets at most window/15 late)
 *     alert / hold / defer / reject = N
 *              the action once the count is above N.  Several may be set;
 *              the strongest exceeded one answers (alert < hold < defer <
 *              reject).  alert answers DUNNO and only raises an event.
 *     text     the text Postfix logs / returns with hold, defer and reject
 *     override KEY alert=N hold=M ...
 *              per-key thresholds that replace the rule's for that key
 *   Every request is counted by every rule that applies (blocked messages
 *   too: a client retrying a deferred message stays deferred).
 *   A threshold is "crossed" by the request that moves the count from <= N
 *   to > N: that request yields an event; later ones only get the action.
 *
 * OWNERSHIP
 *   A config owns its rules; verdicts point into the config and must not
 *   outlive it.
 */
#ifndef MW_OUTBOUND_RATELIMIT_H
#define MW_OUTBOUND_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/htab.h"
#include "core/limits.h"
#include "outbound/policy.h"
#include "store/store.h"

typedef enum mw_rl_action {
	MW_RL_ALERT = 0, /* weakest */
	MW_RL_HOLD,
	MW_RL_DEFER,
	MW_RL_REJECT, /* strongest */
	MW_RL_NACTIONS
} mw_rl_action;

enum { /* key fields */
	MW_RLK_SASL = 1,
	MW_RLK_CLIENT = 2,
	MW_RLK_SENDER = 4,
	MW_RLK_SENDER_DOMAIN = 8,
	MW_RLK_RCPT_DOMAIN = 16,
};

typedef enum mw_rl_count {
	MW_RLC_MESSAGES = 0,
	MW_RLC_RECIPIENTS,
	MW_RLC_RCPT_PER_MSG,
	MW_RLC_SCAN_HOLDS, /* content-scan holds reported by the milter (mw_rl_scan_hold) */
} mw_rl_count;

typedef enum mw_rl_state { MW_RLS_EOM = 0, MW_RLS_DATA, MW_RLS_RCPT } mw_rl_state;

typedef struct mw_rl_limits {
	uint64_t limit[MW_RL_NACTIONS]; /* 0 = threshold not set */
} mw_rl_limits;

typedef struct mw_rl_rule {
	char name[64];
	unsigned keymask;
	mw_rl_count count;
	mw_rl_state at;
	bool at_set;
	int64_t window_ms;
	mw_rl_limits limits;
	char text[MW_POLICY_TEXT_MAX + 1];
	mw_htab *overrides; /* lower-cased key -> mw_rl_limits* */
} mw_rl_rule;

typedef struct mw_rl_config {
	size_t nrules;
	mw_rl_rule rules[MW_RL_RULES_MAX];
} mw_rl_config;

typedef struct mw_rl_hit {
	const mw_rl_rule *rule;
	char key[MW_RL_KEY_MAX + 1]; /* the key value, without the rule name */
	uint64_t count;              /* in the window after this request */
	uint64_t limit;              /* of the strongest exceeded threshold */
	mw_rl_action action;         /* strongest exceeded threshold */
	unsigned crossed;            /* bit (1 << action) per threshold crossed now */
	const mw_rl_limits *limits;  /* the thresholds used (the rule's or an override) */
} mw_rl_hit;

/* what one rule counted for a request (every applicable rule, exceeded or
 * not): the daemon mirrors it for the dashboard (outbound/rltrack.h) */
typedef struct mw_rl_seen {
	bool counted;               /* the rule applied and the store answered */
	uint32_t n;                 /* added by this request */
	uint64_t count;             /* the store's count after it (recipients_per_message: the message's) */
	const mw_rl_limits *limits; /* the thresholds used */
} mw_rl_seen;

typedef struct mw_rl_verdict {
	mw_rl_seen seen[MW_RL_RULES_MAX]; /* by rule index */
	mw_policy_action answer; /* DUNNO unless a hold/defer/reject threshold is exceeded */
	const char *text;        /* rule text for the answer, or NULL */
	size_t nhits;            /* rules with at least one exceeded threshold */
	mw_rl_hit hits[MW_RL_RULES_MAX];
	size_t store_errors;     /* rules skipped because the store failed */
	mw_err store_err;        /* the last store failure */
} mw_rl_verdict;

/* mw_rl_config_new - empty configuration (free with mw_rl_config_free) */
mw_rl_config *mw_rl_config_new(void);
void mw_rl_config_free(mw_rl_config *c);
/* mw_rl_rule_add - new rule with defaults (count=messages, window=5m, no thresholds) */
mw_rl_rule *mw_rl_rule_add(mw_rl_config *c, const char *name, mw_err *err);
/* mw_rl_rule_set - one "name = value" setting of a rule, as in the config file */
mw_status mw_rl_rule_set(mw_rl_rule *r, const char *name, const char *value, mw_err *err);
/* mw_rl_config_check - every rule has a key and a threshold; names unique */
mw_status mw_rl_config_check(const mw_rl_config *c, mw_err *err);
/* mw_rl_config_defaults - the out-of-the-box rules (see docs/SERVE.md) */
mw_status mw_rl_config_defaults(mw_rl_config *c, mw_err *err);

/* mw_rl_check - count req in every rule that applies and decide */
void mw_rl_check(const mw_rl_config *c, mw_store *store, const mw_policy_req *req,
		 int64_t now_ms, mw_rl_verdict *out);

/* mw_rl_scan_hold - count one content-scan hold of (sasl, client, sender)
 * in every count = scan_holds rule; out as from mw_rl_check (hits with the
 * thresholds crossed now; answer is what later requests will get) */
void mw_rl_scan_hold(const mw_rl_config *c, mw_store *store, const char *sasl,
		     const char *client, const char *sender, int64_t now_ms, mw_rl_verdict *out);

/* mw_rl_release - forget the counters of KEY (a key value as in events) in
 * every rule; returns how many counters were dropped */
size_t mw_rl_release(const mw_rl_config *c, mw_store *store, const char *key);

/* mw_rl_rule_key - the key value rule r counts req by (lower-cased, fields
 * joined by '|') into out; false when a field is missing or it is too long */
bool mw_rl_rule_key(const mw_rl_rule *r, const mw_policy_req *req, char *out, size_t cap);

/* mw_rl_counter_key - "rule\x1fkey" into buf; returns its length or 0 if too long */
size_t mw_rl_counter_key(const mw_rl_rule *r, const char *key, char *buf, size_t n);

/* mw_rl_action_name - "alert", "hold", "defer", "reject" */
const char *mw_rl_action_name(mw_rl_action a);
/* mw_rl_parse_duration - "300", "300s", "5m", "1h", "2d", "1w" to ms; false if bad */
bool mw_rl_parse_duration(const char *s, int64_t *ms);

#endif
