/*
 * outbound/ratelimit.c - rate rules (see ratelimit.h).
 *
 * Cost per request: one key build and one store update per applicable rule;
 * no allocation.
 */
#include "outbound/ratelimit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

static const char *const act_names[MW_RL_NACTIONS] = {"alert", "hold", "defer", "reject"};

/* mw_rl_action_name - lower-case action word */
const char *mw_rl_action_name(mw_rl_action a)
{
	return (unsigned)a < MW_RL_NACTIONS ? act_names[a] : "?";
}

/* action_parse - word to action, -1 if unknown */
static int action_parse(const char *s)
{
	for (int i = 0; i < MW_RL_NACTIONS; i++)
		if (mw_strcaseeq(s, act_names[i]))
			return i;
	return -1;
}

/* mw_rl_parse_duration - number with an optional s/m/h/d/w unit */
bool mw_rl_parse_duration(const char *s, int64_t *ms)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || errno || v <= 0)
		return false;
	int64_t unit = 1000;
	if (*end) {
		switch (mw_tolower(*end)) {
		case 's': unit = 1000; break;
		case 'm': unit = 60000; break;
		case 'h': unit = 3600000; break;
		case 'd': unit = 86400000; break;
		case 'w': unit = 7 * 86400000LL; break;
		default: return false;
		}
		if (end[1])
			return false;
	}
	if (v > MW_RL_WINDOW_MAX / unit)
		return false;
	*ms = v * unit;
	return true;
}

/* parse_count - positive decimal threshold */
static bool parse_count(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || errno || s[0] == '-' || v == 0)
		return false;
	*out = v;
	return true;
}

/* mw_rl_config_new - empty */
mw_rl_config *mw_rl_config_new(void)
{
	return calloc(1, sizeof(mw_rl_config));
}

/* mw_rl_config_free - rules and overrides */
void mw_rl_config_free(mw_rl_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrules; i++)
		mw_htab_free(c->rules[i].overrides);
	free(c);
}

/* mw_rl_rule_add - append a rule */
mw_rl_rule *mw_rl_rule_add(mw_rl_config *c, const char *name, mw_err *err)
{
	if (c->nrules == MW_RL_RULES_MAX) {
		mw_err_set(err, MW_ETOOBIG, "more than %d rules", MW_RL_RULES_MAX);
		return NULL;
	}
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof(c->rules[0].name)) {
		mw_err_set(err, MW_EINVAL, "rule name empty or longer than 63 bytes");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '-')) {
			mw_err_set(err, MW_EINVAL, "rule name '%s': use letters, digits, _ and -", name);
			return NULL;
		}
	mw_rl_rule *r = &c->rules[c->nrules];
	memset(r, 0, sizeof(*r));
	mw_strlcpy(r->name, name, sizeof(r->name));
	r->window_ms = 300000;
	mw_strlcpy(r->text, "rate limit exceeded", sizeof(r->text));
	r->overrides = mw_htab_new(free);
	if (!r->overrides) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	c->nrules++;
	return r;
}

/* parse_key - "a+b+c" into a field mask */
static mw_status parse_key(const char *v, unsigned *mask, mw_err *err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} f[] = {{"sasl_username", MW_RLK_SASL}, {"client_address", MW_RLK_CLIENT},
		 {"sender", MW_RLK_SENDER},      {"sender_domain", MW_RLK_SENDER_DOMAIN},
		 {"recipient_domain", MW_RLK_RCPT_DOMAIN}};
	*mask = 0;
	const char *p = v;
	while (*p) {
		const char *e = strchr(p, '+');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		unsigned bit = 0;
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (strlen(f[i].name) == n && memcmp(f[i].name, p, n) == 0)
				bit = f[i].bit;
		if (!bit || (*mask & bit))
			return mw_err_set(err, MW_EINVAL, "key '%s': unknown or repeated field", v);
		*mask |= bit;
		p += n + (e ? 1 : 0);
		if (e && !*p)
			return mw_err_set(err, MW_EINVAL, "key '%s': trailing '+'", v);
	}
	return *mask ? MW_OK : mw_err_set(err, MW_EINVAL, "empty key");
}

/* parse_override - "KEY action=N ..." */
static mw_status parse_override(mw_rl_rule *r, const char *v, mw_err *err)
{
	char buf[MW_RL_KEY_MAX + 256];
	if (mw_strlcpy(buf, v, sizeof(buf)) >= sizeof(buf))
		return mw_err_set(err, MW_ETOOBIG, "override too long");
	if (mw_htab_count(r->overrides) >= MW_RL_OVERRIDES_MAX)
		return mw_err_set(err, MW_ETOOBIG, "more than %d overrides", MW_RL_OVERRIDES_MAX);
	char *save = NULL, *key = strtok_r(buf, " \t", &save);
	if (!key)
		return mw_err_set(err, MW_EINVAL, "override without a key");
	mw_rl_limits *l = calloc(1, sizeof(*l));
	if (!l)
		return mw_err_set(err, MW_ENOMEM, "out of memory");
	int n = 0;
	for (char *t; (t = strtok_r(NULL, " \t", &save)); n++) {
		char *eq = strchr(t, '=');
		int a = -1;
		if (eq) {
			*eq = '\0';
			a = action_parse(t);
		}
		if (a < 0 || !parse_count(eq + 1, &l->limit[a])) {
			free(l);
			return mw_err_set(err, MW_EINVAL, "override %s: want ACTION=N, got '%s'", key, t);
		}
	}
	if (n == 0) {
		free(l);
		return mw_err_set(err, MW_EINVAL, "override %s: no thresholds", key);
	}
	mw_strlower(key);
	mw_status st = mw_htab_put(r->overrides, key, strlen(key), l);
	if (st != MW_OK)
		free(l);
	return st == MW_OK ? MW_OK : mw_err_set(err, st, "out of memory");
}

/* mw_rl_rule_set - one setting */
mw_status mw_rl_rule_set(mw_rl_rule *r, const char *name, const char *value, mw_err *err)
{
	int a = action_parse(name);
	if (a >= 0)
		return parse_count(value, &r->limits.limit[a])
			       ? MW_OK
			       : mw_err_set(err, MW_EINVAL, "%s: want a positive number", name);
	if (strcmp(name, "key") == 0)
		return parse_key(value, &r->keymask, err);
	if (strcmp(name, "window") == 0)
		return mw_rl_parse_duration(value, &r->window_ms)
			       ? MW_OK
			       : mw_err_set(err, MW_EINVAL, "window '%s': want e.g. 300s, 5m, 1h, 1d", value);
	if (strcmp(name, "count") == 0) {
		if (strcmp(value, "messages") == 0)
			r->count = MW_RLC_MESSAGES;
		else if (strcmp(value, "recipients") == 0)
			r->count = MW_RLC_RECIPIENTS;
		else if (strcmp(value, "recipients_per_message") == 0)
			r->count = MW_RLC_RCPT_PER_MSG;
		else if (strcmp(value, "scan_holds") == 0)
			r->count = MW_RLC_SCAN_HOLDS;
		else
			return mw_err_set(err, MW_EINVAL, "count '%s': messages, recipients, "
							  "recipients_per_message or scan_holds", value);
		return MW_OK;
	}
	if (strcmp(name, "at") == 0) {
		if (mw_strcaseeq(value, "END-OF-MESSAGE"))
			r->at = MW_RLS_EOM;
		else if (mw_strcaseeq(value, "DATA"))
			r->at = MW_RLS_DATA;
		else if (mw_strcaseeq(value, "RCPT"))
			r->at = MW_RLS_RCPT;
		else
			return mw_err_set(err, MW_EINVAL, "at '%s': END-OF-MESSAGE, DATA or RCPT", value);
		r->at_set = true;
		return MW_OK;
	}
	if (strcmp(name, "text") == 0) {
		if (mw_strlcpy(r->text, value, sizeof(r->text)) >= sizeof(r->text))
			return mw_err_set(err, MW_ETOOBIG, "text longer than %d bytes", MW_POLICY_TEXT_MAX);
		return MW_OK;
	}
	if (strcmp(name, "override") == 0)
		return parse_override(r, value, err);
	return mw_err_set(err, MW_EINVAL, "unknown rule setting '%s'", name);
}

/* mw_rl_config_check - completeness and consistency */
mw_status mw_rl_config_check(const mw_rl_config *c, mw_err *err)
{
	for (size_t i = 0; i < c->nrules; i++) {
		const mw_rl_rule *r = &c->rules[i];
		bool any = false;
		for (int a = 0; a < MW_RL_NACTIONS; a++)
			any |= r->limits.limit[a] != 0;
		if (!r->keymask)
			return mw_err_set(err, MW_EINVAL, "rule %s: no key", r->name);
		if (!any && mw_htab_count(r->overrides) == 0)
			return mw_err_set(err, MW_EINVAL, "rule %s: no threshold (alert/hold/defer/reject)",
					  r->name);
		if (r->count == MW_RLC_RCPT_PER_MSG && r->at_set && r->at == MW_RLS_RCPT)
			return mw_err_set(err, MW_EINVAL, "rule %s: recipients_per_message is known "
							  "only at DATA or END-OF-MESSAGE", r->name);
		if ((r->keymask & MW_RLK_RCPT_DOMAIN) && r->count != MW_RLC_RECIPIENTS)
			return mw_err_set(err, MW_EINVAL, "rule %s: recipient_domain needs count = "
							  "recipients (at RCPT)", r->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->rules[j].name, r->name) == 0)
				return mw_err_set(err, MW_EINVAL, "rule %s defined twice", r->name);
	}
	return MW_OK;
}

/* mw_rl_config_defaults - alert > 100 msgs / 5 min per sasl user, hold > 300,
 * hold a message with more than 100 recipients */
mw_status mw_rl_config_defaults(mw_rl_config *c, mw_err *err)
{
	static const char *const def[][2] = {
		{"[", "sasl_messages"},     {"key", "sasl_username"}, {"count", "messages"},
		{"window", "5m"},           {"alert", "100"},         {"hold", "300"},
		{"text", "outbound rate limit: held for review"},
		{"[", "recipients_per_message"}, {"key", "sasl_username"},
		{"count", "recipients_per_message"}, {"hold", "100"},
		{"text", "too many recipients in one message: held for review"},
	};
	mw_rl_rule *r = NULL;
	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		if (def[i][0][0] == '[')
			r = mw_rl_rule_add(c, def[i][1], err);
		else if (mw_rl_rule_set(r, def[i][0], def[i][1], err) != MW_OK)
			return err ? err->code : MW_EINVAL;
		if (!r)
			return err ? err->code : MW_ENOMEM;
	}
	return mw_rl_config_check(c, err);
}

/* rule_state - the protocol state the rule counts at */
static mw_rl_state rule_state(const mw_rl_rule *r)
{
	if (r->at_set)
		return r->at;
	return r->count == MW_RLC_RECIPIENTS ? MW_RLS_RCPT : MW_RLS_EOM;
}

/* req_state - protocol_state as mw_rl_state, -1 for others */
static int req_state(const char *s)
{
	if (strcmp(s, "END-OF-MESSAGE") == 0)
		return MW_RLS_EOM;
	if (strcmp(s, "RCPT") == 0)
		return MW_RLS_RCPT;
	if (strcmp(s, "DATA") == 0)
		return MW_RLS_DATA;
	return -1;
}

/* domain_of - part after the last '@', "" if none */
static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at ? at + 1 : "";
}

/* mw_rl_rule_key - the rule's key value for req, lower-cased, fields joined
 * by '|'; false if a field is missing or the key is too long */
bool mw_rl_rule_key(const mw_rl_rule *r, const mw_policy_req *req, char *out, size_t cap)
{
	const char *v[5] = {req->sasl_username, req->client_address, req->sender,
			    domain_of(req->sender), domain_of(req->recipient)};
	size_t len = 0;
	for (int i = 0; i < 5; i++) {
		if (!(r->keymask & (1u << i)))
			continue;
		if (!v[i][0])
			return false;
		if (len)
			out[len++] = '|';
		for (const char *p = v[i]; *p; p++) {
			if (len + 1 >= cap)
				return false;
			out[len++] = mw_tolower(*p);
		}
	}
	out[len] = '\0';
	return true;
}

/* mw_rl_counter_key - store key of (rule, key value) */
size_t mw_rl_counter_key(const mw_rl_rule *r, const char *key, char *buf, size_t n)
{
	size_t nl = strlen(r->name), kl = strlen(key);
	if (nl + 1 + kl >= n || nl + 1 + kl > MW_RL_KEY_MAX)
		return 0;
	memcpy(buf, r->name, nl);
	buf[nl] = '\x1f';
	memcpy(buf + nl + 1, key, kl + 1);
	return nl + 1 + kl;
}

/* judge - fill hit's action/limit/crossed from count; false if nothing exceeded */
static bool judge(const mw_rl_limits *l, uint64_t count, uint64_t n, mw_rl_hit *hit)
{
	uint64_t prev = count >= n ? count - n : 0;
	bool any = false;
	hit->crossed = 0;
	for (int a = 0; a < MW_RL_NACTIONS; a++) {
		uint64_t lim = l->limit[a];
		if (!lim || count <= lim)
			continue;
		any = true;
		hit->action = (mw_rl_action)a;
		hit->limit = lim;
		if (prev <= lim)
			hit->crossed |= 1u << a;
	}
	hit->count = count;
	hit->limits = l;
	return any;
}

/* check_rule - count req in one rule; true when a threshold is exceeded */
static bool check_rule(const mw_rl_rule *r, mw_store *store, const mw_policy_req *req,
		       int st, int64_t now_ms, mw_rl_hit *hit, mw_rl_verdict *out, mw_rl_seen *seen)
{
	mw_rl_state want = rule_state(r);
	if (st != (int)want)
		return false;
	if (!mw_rl_rule_key(r, req, hit->key, sizeof(hit->key)))
		return false;
	const mw_rl_limits *l = &r->limits;
	if (mw_htab_count(r->overrides)) {
		const mw_rl_limits *o = mw_htab_get(r->overrides, hit->key, strlen(hit->key));
		if (o)
			l = o;
	}
	hit->rule = r;
	*seen = (mw_rl_seen){.counted = true, .n = 1, .count = req->recipient_count, .limits = l};
	if (r->count == MW_RLC_RCPT_PER_MSG)
		return judge(l, req->recipient_count, req->recipient_count, hit);
	seen->counted = false;
	uint64_t n = r->count == MW_RLC_SCAN_HOLDS ? 0 : 1; /* scan holds: read only */
	if (r->count == MW_RLC_RECIPIENTS && st != MW_RLS_RCPT)
		n = req->recipient_count ? req->recipient_count : 1;
	char ck[MW_RL_KEY_MAX + 1];
	size_t cklen = mw_rl_counter_key(r, hit->key, ck, sizeof(ck));
	uint64_t count = 0;
	if (!cklen) {
		out->store_errors++;
		mw_err_set(&out->store_err, MW_ETOOBIG, "counter key too long");
		return false;
	}
	if (mw_store_hit(store, ck, cklen, r->window_ms, (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n),
			 now_ms, &count, &out->store_err) != MW_OK) {
		out->store_errors++;
		return false;
	}
	*seen = (mw_rl_seen){.counted = true, .n = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n),
			     .count = count, .limits = l};
	return judge(l, count, n, hit);
}

/* mw_rl_check - every applicable rule; the strongest exceeded action answers */
void mw_rl_check(const mw_rl_config *c, mw_store *store, const mw_policy_req *req,
		 int64_t now_ms, mw_rl_verdict *out)
{
	static const mw_policy_action answer[MW_RL_NACTIONS] = {
		[MW_RL_ALERT] = MW_PA_DUNNO, [MW_RL_HOLD] = MW_PA_HOLD,
		[MW_RL_DEFER] = MW_PA_DEFER_IF_PERMIT, [MW_RL_REJECT] = MW_PA_REJECT};
	out->answer = MW_PA_DUNNO;
	out->text = NULL;
	out->nhits = 0;
	out->store_errors = 0;
	for (size_t i = 0; i < c->nrules; i++)
		out->seen[i].counted = false;
	int st = req_state(req->protocol_state);
	if (st < 0)
		return;
	int strongest = -1;
	for (size_t i = 0; i < c->nrules; i++) {
		mw_rl_hit *hit = &out->hits[out->nhits];
		if (!check_rule(&c->rules[i], store, req, st, now_ms, hit, out, &out->seen[i]))
			continue;
		out->nhits++;
		if ((int)hit->action > strongest && hit->action != MW_RL_ALERT) {
			strongest = (int)hit->action;
			out->answer = answer[hit->action];
			out->text = hit->rule->text;
		}
	}
}

/* mw_rl_scan_hold - +1 in every scan_holds rule whose key fields are known */
void mw_rl_scan_hold(const mw_rl_config *c, mw_store *store, const char *sasl,
		     const char *client, const char *sender, int64_t now_ms, mw_rl_verdict *out)
{
	static const mw_policy_action answer[MW_RL_NACTIONS] = {
		[MW_RL_ALERT] = MW_PA_DUNNO, [MW_RL_HOLD] = MW_PA_HOLD,
		[MW_RL_DEFER] = MW_PA_DEFER_IF_PERMIT, [MW_RL_REJECT] = MW_PA_REJECT};
	mw_policy_req req;
	memset(&req, 0, sizeof(req));
	req.request = req.protocol_state = req.protocol_name = req.client_name = "";
	req.sasl_method = req.recipient = req.instance = req.queue_id = req.helo_name = "";
	req.sasl_username = sasl ? sasl : "";
	req.client_address = client ? client : "";
	req.sender = sender ? sender : "";
	out->answer = MW_PA_DUNNO;
	out->text = NULL;
	out->nhits = out->store_errors = 0;
	int strongest = -1;
	for (size_t i = 0; i < c->nrules; i++) {
		const mw_rl_rule *r = &c->rules[i];
		mw_rl_hit *hit = &out->hits[out->nhits];
		char ck[MW_RL_KEY_MAX + 1];
		size_t cklen;
		uint64_t count = 0;
		if (r->count != MW_RLC_SCAN_HOLDS || !mw_rl_rule_key(r, &req, hit->key, sizeof(hit->key)))
			continue;
		const mw_rl_limits *l = &r->limits;
		const mw_rl_limits *o = mw_htab_count(r->overrides)
						? mw_htab_get(r->overrides, hit->key, strlen(hit->key))
						: NULL;
		hit->rule = r;
		if (!(cklen = mw_rl_counter_key(r, hit->key, ck, sizeof(ck))) ||
		    mw_store_hit(store, ck, cklen, r->window_ms, 1, now_ms, &count, &out->store_err) != MW_OK) {
			out->store_errors++;
			continue;
		}
		if (!judge(o ? o : l, count, 1, hit))
			continue;
		out->nhits++;
		if ((int)hit->action > strongest && hit->action != MW_RL_ALERT) {
			strongest = (int)hit->action;
			out->answer = answer[hit->action];
			out->text = r->text;
		}
	}
}

/* mw_rl_release - reset the key in every rule */
size_t mw_rl_release(const mw_rl_config *c, mw_store *store, const char *key)
{
	char low[MW_RL_KEY_MAX + 1], ck[MW_RL_KEY_MAX + 1];
	if (mw_strlcpy(low, key, sizeof(low)) >= sizeof(low))
		return 0;
	mw_strlower(low);
	size_t n = 0;
	for (size_t i = 0; i < c->nrules; i++) {
		size_t len = mw_rl_counter_key(&c->rules[i], low, ck, sizeof(ck));
		if (len && mw_store_reset(store, ck, len, NULL) == MW_OK)
			n++;
	}
	return n;
}
