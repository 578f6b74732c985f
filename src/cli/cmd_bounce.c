/*
 * cli/cmd_bounce.c - `mailwarden bounce FILE... [--our-domain D]...
 *                    [--our-ip CIDR]... [--json]`
 *
 * DESCRIPTION
 *   Reads bounces from files, maildir directories (cur/ and new/, or a plain
 *   directory of message files) and mbox files, prints one line per failed
 *   recipient (status, reason, hard/soft, remote MTA, diagnostic) and, for
 *   bounces addressed to --our-domain, the backscatter verdict with its
 *   evidence.  Over several messages a summary follows: reasons by count,
 *   top remote MTAs, backscatter share.
 *
 *   Exit: 0 nothing alarming, 1 finding (a backscatter verdict or a hard
 *   bounce), 2 usage or unreadable input.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounce/backscatter.h"
#include "bounce/bounce.h"
#include "bounce/bs_dkim.h"
#include "cli/cli.h"
#include "core/htab.h"
#include "core/limits.h"
#include "mail/mailwalk.h"
#include "outbound/batv.h"
#include <time.h>

static const char usage_text[] =
	"usage: mailwarden bounce FILE... [--our-domain D]... [--our-ip CIDR]... [--json]\n"
	"\n"
	"Parse bounces (RFC 3464/6533 DSNs, qmail/Exim/Sendmail/Postfix/Exchange and\n"
	"provider formats, ARF reports, auto-replies): one line per failed recipient\n"
	"with RFC 3463 status, reason (Sisimai's taxonomy), hard/soft, remote MTA.\n"
	"FILE may be a message, an mbox file or a maildir directory ('-' = stdin).\n"
	"\n"
	"  --our-domain D       a domain we send from (repeat); bounces to it get a\n"
	"                       backscatter verdict: genuine / backscatter / undetermined\n"
	"  --our-ip CIDR        our outbound addresses (repeat), for the Received check\n"
	"  --msgid-suffix S     our Message-IDs end in S (default: any of our domains)\n"
	"  --batv-always        we BATV-tag every envelope sender (untagged = forged)\n"
	"  --dkim-always        we DKIM-sign every message (unsigned = suspicious)\n"
	"  --batv-keys FILE     our BATV key file (as for the milter): verifies the\n"
	"                       prvs tag of the bounce's recipient\n"
	"  --dkim-key D:S:FILE  our DKIM key record (TXT text \"v=DKIM1; p=...\") for\n"
	"                       domain D, selector S: verifies our signature on the\n"
	"                       returned headers (repeat; no DNS needed)\n"
	"  --json               JSON: {\"messages\":[...],\"summary\":{...}}\n"
	"  --help               this text\n"
	"\n"
	"exit status: 0 ok, 1 backscatter or hard bounce found, 2 usage or input error\n";

#define MAX_DOMAINS 64
#define MAX_NETS 64

typedef struct bounce_opts {
	const char *domains[MAX_DOMAINS];
	mw_bs_net nets[MAX_NETS];
	mw_bs_policy policy;
	mw_bs_dkim_keys keys;
	mw_batv_keys batv;
	char *records[MW_BS_DKIM_KEYS_MAX]; /* malloc'd key texts and D:S copies */
	char *specs[MW_BS_DKIM_KEYS_MAX];
	bool json;
	const char **files;
	int nfiles;
} bounce_opts;

typedef struct tally {
	size_t messages, bounces, rcpts, hard, addressed, backscatter, genuine, errors;
	size_t kinds[MW_BOUNCE_AUTOREPLY + 1];
	size_t reasons[MW_REASON_COUNT];
	mw_htab *mtas; /* remote MTA -> count */
	json_t *jmsgs;
	int exit;
} tally;

/* batv_hook - mw_bs_batv_fn over outbound/batv.h: 1 valid, 0 forged or
 * expired, -1 key not configured */
static int batv_hook(void *ctx, const char *addr, char *why, size_t n)
{
	mw_batv_result r = mw_batv_verify(ctx, addr, time(NULL), NULL, 0);
	snprintf(why, n, "(%s)", mw_batv_result_str(r));
	return r == MW_BATV_VALID ? 1 : r == MW_BATV_NOKEY || r == MW_BATV_UNTAGGED ? -1 : 0;
}

/* add_key - "DOMAIN:SELECTOR:FILE" into the DKIM key table */
static int add_key(bounce_opts *o, const char *spec)
{
	size_t k = o->keys.n;
	if (k >= MW_BS_DKIM_KEYS_MAX)
		return cli_usage_error("bounce", "too many --dkim-key");
	char *c = strdup(spec), *s1 = c ? strchr(c, ':') : NULL, *s2 = s1 ? strchr(s1 + 1, ':') : NULL;
	if (!s2) {
		free(c);
		return cli_usage_error("bounce", "--dkim-key wants DOMAIN:SELECTOR:FILE");
	}
	*s1 = *s2 = '\0';
	size_t len;
	char *rec = cli_read_file(s2 + 1, 65536, &len);
	if (!rec) {
		free(c);
		return CLI_EXIT_USAGE;
	}
	o->specs[k] = c;
	o->records[k] = rec;
	o->keys.key[k] = (mw_bs_dkim_key){c, s1 + 1, rec};
	o->keys.n++;
	o->policy.dkim_verify = mw_bs_dkim_verify_headers;
	o->policy.dkim_ctx = &o->keys;
	return 0;
}

/* free_opts - what parse_args allocated */
static void free_opts(bounce_opts *o)
{
	for (size_t i = 0; i < o->keys.n; i++) {
		free(o->specs[i]);
		free(o->records[i]);
	}
	free(o->files);
}

/* parse_args - fill o; -1 to continue, else an exit code */
static int parse_args(int argc, char **argv, bounce_opts *o)
{
	o->files = calloc((size_t)argc, sizeof(*o->files));
	if (!o->files)
		return CLI_EXIT_ERROR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--batv-always") == 0) {
			o->policy.batv_always = true;
		} else if (strcmp(a, "--dkim-always") == 0) {
			o->policy.dkim_always = true;
		} else if (strcmp(a, "--our-domain") == 0 || strcmp(a, "--our-ip") == 0 ||
			   strcmp(a, "--msgid-suffix") == 0) {
			if (!has_val)
				return cli_usage_error("bounce", "%s needs a value", a);
			const char *v = argv[++i];
			if (a[2] == 'm') {
				o->policy.msgid_suffix = v;
			} else if (a[6] == 'd') {
				if (o->policy.ndomains >= MAX_DOMAINS)
					return cli_usage_error("bounce", "too many --our-domain");
				o->domains[o->policy.ndomains++] = v;
			} else {
				if (o->policy.nnets >= MAX_NETS)
					return cli_usage_error("bounce", "too many --our-ip");
				if (!mw_bs_parse_net(v, &o->nets[o->policy.nnets]))
					return cli_usage_error("bounce", "bad --our-ip '%s'", v);
				o->policy.nnets++;
			}
		} else if (strcmp(a, "--batv-keys") == 0) {
			mw_err err;
			if (!has_val)
				return cli_usage_error("bounce", "%s needs a value", a);
			if (mw_batv_keys_load(argv[++i], &o->batv, &err) != MW_OK)
				return cli_usage_error("bounce", "--batv-keys: %s", err.msg);
			o->policy.batv_verify = batv_hook;
			o->policy.batv_ctx = &o->batv;
		} else if (strcmp(a, "--dkim-key") == 0) {
			if (!has_val)
				return cli_usage_error("bounce", "%s needs a value", a);
			if (add_key(o, argv[++i]) != 0)
				return CLI_EXIT_USAGE;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("bounce", "unknown option '%s'", a);
		} else {
			o->files[o->nfiles++] = a;
		}
	}
	if (o->nfiles == 0)
		return cli_usage_error("bounce", "need at least one FILE");
	o->policy.domains = o->domains;
	o->policy.nets = o->nets;
	return -1;
}

/* jstr - JSON string or null */
static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* rcpt_json - one recipient in the shape */
static json_t *rcpt_json(const mw_bounce_rcpt *r)
{
	json_t *j = json_object();
	json_object_set_new(j, "address", jstr(r->address));
	json_object_set_new(j, "original_recipient", jstr(r->original));
	json_object_set_new(j, "final_recipient", jstr(r->final));
	json_object_set_new(j, "action", jstr(r->action));
	json_object_set_new(j, "status", json_string(r->status));
	json_object_set_new(j, "status_inferred", json_boolean(r->status_inferred));
	json_object_set_new(j, "replycode", json_string(r->replycode));
	json_object_set_new(j, "reason", json_string(mw_reason_name(r->reason)));
	json_object_set_new(j, "hard", json_boolean(r->hard));
	json_object_set_new(j, "remote_mta", jstr(r->remote_mta));
	json_object_set_new(j, "diagnostic", json_string(r->diagnostic));
	json_object_set_new(j, "policy", jstr(r->policy));
	return j;
}

/* message_json - one message */
static json_t *message_json(const char *name, const mw_bounce *b, const mw_bs_result *bs)
{
	json_t *j = json_object(), *rs = json_array(), *ev = json_array();
	json_object_set_new(j, "file", json_string(name));
	json_object_set_new(j, "kind", json_string(mw_bounce_kind_name(b->kind)));
	json_object_set_new(j, "format", jstr(b->format));
	json_object_set_new(j, "reporting_mta", jstr(b->reporting_mta));
	json_object_set_new(j, "to", jstr(b->to));
	json_object_set_new(j, "feedback_type", jstr(b->feedback_type));
	json_object_set_new(j, "original_message_id", jstr(b->orig_message_id));
	json_object_set_new(j, "truncated", json_boolean(b->truncated));
	for (size_t i = 0; i < b->nrcpt; i++)
		json_array_append_new(rs, rcpt_json(&b->rcpts[i]));
	json_object_set_new(j, "recipients", rs);
	json_object_set_new(j, "backscatter", json_string(mw_bs_verdict_name(bs->verdict)));
	for (size_t i = 0; i < bs->nev; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "check", json_string(bs->ev[i].check));
		json_object_set_new(e, "weight", json_integer(bs->ev[i].weight));
		json_object_set_new(e, "detail", json_string(bs->ev[i].detail));
		json_array_append_new(ev, e);
	}
	json_object_set_new(j, "evidence", ev);
	return j;
}

/* print_human - one message as text */
static void print_human(const char *name, const mw_bounce *b, const mw_bs_result *bs,
			bool show_bs)
{
	printf("%s: %s (%s)%s\n", name, mw_bounce_kind_name(b->kind), b->format ? b->format : "-",
	       b->truncated ? " [truncated at a limit]" : "");
	for (size_t i = 0; i < b->nrcpt; i++) {
		const mw_bounce_rcpt *r = &b->rcpts[i];
		printf("  %s  %s %s%s %s %s", r->address[0] ? r->address : "(unknown)", r->action,
		       r->status[0] ? r->status : "-", r->status_inferred ? "*" : "",
		       mw_reason_name(r->reason), r->hard ? "hard" : "soft");
		if (r->remote_mta)
			printf(" via %s", r->remote_mta);
		if (r->policy)
			printf(" [%s]", r->policy);
		if (r->diagnostic[0])
			printf("\n      %.160s", r->diagnostic);
		printf("\n");
	}
	if (!show_bs)
		return;
	printf("  backscatter: %s\n", mw_bs_verdict_name(bs->verdict));
	for (size_t i = 0; i < bs->nev; i++)
		printf("    %+d %-10s %s\n", bs->ev[i].weight, bs->ev[i].check, bs->ev[i].detail);
}

/* count - add one parsed message to the tally */
static void count(tally *t, const mw_bounce *b, const mw_bs_result *bs)
{
	t->messages++;
	t->kinds[b->kind]++;
	t->bounces += b->kind == MW_BOUNCE_DSN || b->kind == MW_BOUNCE_TEXT;
	for (size_t i = 0; i < b->nrcpt; i++) {
		const mw_bounce_rcpt *r = &b->rcpts[i];
		t->rcpts++;
		t->reasons[r->reason]++;
		t->hard += r->hard;
		const char *mta = r->remote_mta ? r->remote_mta : b->reporting_mta;
		if (mta) {
			uintptr_t c = (uintptr_t)mw_htab_get(t->mtas, mta, strlen(mta));
			mw_htab_put(t->mtas, mta, strlen(mta), (void *)(c + 1));
		}
	}
	t->addressed += bs->addressed_to_us;
	t->backscatter += bs->verdict == MW_BS_BACKSCATTER;
	t->genuine += bs->verdict == MW_BS_GENUINE;
	if (bs->verdict == MW_BS_BACKSCATTER || t->hard)
		t->exit = CLI_EXIT_FINDING;
}

/* one_message - parse, judge, print or collect */
static void one_message(const bounce_opts *o, tally *t, const char *name, const char *data,
			size_t len)
{
	mw_bounce *b = NULL;
	mw_err err;
	if (mw_bounce_parse(data, len, &b, &err) != MW_OK) {
		fprintf(stderr, "mailwarden bounce: %s: %s\n", name, err.msg);
		t->errors++;
		return;
	}
	mw_bs_result bs;
	if (mw_backscatter_check(b, &o->policy, &bs, &err) != MW_OK)
		memset(&bs, 0, sizeof(bs));
	count(t, b, &bs);
	if (o->json)
		json_array_append_new(t->jmsgs, message_json(name, b, &bs));
	else
		print_human(name, b, &bs, o->policy.ndomains > 0 && bs.addressed_to_us);
	mw_bounce_free(b);
}

/* what the walk callbacks need */
typedef struct walk_ctx {
	const bounce_opts *o;
	tally *t;
} walk_ctx;

static void walk_message(void *ctx, const char *name, const char *data, size_t len)
{
	walk_ctx *w = ctx;
	one_message(w->o, w->t, name, data, len);
}

/* walk_file - a message or an mbox */
static void walk_file(void *ctx, const char *path)
{
	walk_ctx *w = ctx;
	size_t len;
	char *data = cli_read_file(path, MW_MBOX_MAX, &len);
	if (!data) {
		w->t->errors++;
		return;
	}
	mw_walk_messages(path, data, len, walk_message, w);
	free(data);
}

static void walk_error(void *ctx, const char *path, const char *reason)
{
	walk_ctx *w = ctx;
	fprintf(stderr, "mailwarden bounce: %s: %s\n", path, reason);
	w->t->errors++;
}

/* top_mtas - the five most frequent remote MTAs */
static size_t top_mtas(const tally *t, const char **name, size_t *cnt)
{
	size_t k = 0;
	mw_htab_iter it = {0};
	const char *key;
	size_t klen;
	void *v;
	while (mw_htab_next(t->mtas, &it, &key, &klen, &v)) {
		size_t c = (uintptr_t)v, j = k < 5 ? k++ : 5;
		if (j == 5 && c <= cnt[4])
			continue;
		if (j == 5)
			j = 4;
		while (j > 0 && (cnt[j - 1] < c || (cnt[j - 1] == c && strcmp(name[j - 1], key) > 0))) {
			cnt[j] = cnt[j - 1];
			name[j] = name[j - 1];
			j--;
		}
		cnt[j] = c;
		name[j] = key;
	}
	return k;
}

/* summary - reasons by count, top MTAs, backscatter share */
static void summary(const bounce_opts *o, const tally *t)
{
	const char *mn[5];
	size_t mc[5] = {0};
	size_t nm = top_mtas(t, mn, mc);
	double share = t->addressed ? 100.0 * (double)t->backscatter / (double)t->addressed : 0.0;
	if (o->json) {
		json_t *s = json_object(), *rs = json_object(), *ms = json_array();
		json_object_set_new(s, "messages", json_integer((json_int_t)t->messages));
		json_object_set_new(s, "bounces", json_integer((json_int_t)t->bounces));
		json_object_set_new(s, "recipients", json_integer((json_int_t)t->rcpts));
		json_object_set_new(s, "hard", json_integer((json_int_t)t->hard));
		json_object_set_new(s, "errors", json_integer((json_int_t)t->errors));
		for (int r = 0; r < MW_REASON_COUNT; r++)
			if (t->reasons[r])
				json_object_set_new(rs, mw_reason_name((mw_reason)r),
						    json_integer((json_int_t)t->reasons[r]));
		json_object_set_new(s, "reasons", rs);
		for (size_t i = 0; i < nm; i++) {
			json_t *m = json_object();
			json_object_set_new(m, "mta", json_string(mn[i]));
			json_object_set_new(m, "count", json_integer((json_int_t)mc[i]));
			json_array_append_new(ms, m);
		}
		json_object_set_new(s, "top_remote_mtas", ms);
		json_object_set_new(s, "addressed_to_us", json_integer((json_int_t)t->addressed));
		json_object_set_new(s, "backscatter", json_integer((json_int_t)t->backscatter));
		json_object_set_new(s, "genuine", json_integer((json_int_t)t->genuine));
		json_object_set_new(s, "backscatter_share", json_real(share / 100.0));
		json_t *top = json_object();
		json_object_set_new(top, "messages", t->jmsgs);
		json_object_set_new(top, "summary", s);
		json_dumpf(top, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(top);
		return;
	}
	if (t->messages < 2)
		return;
	printf("\nsummary: %zu messages, %zu bounces, %zu recipients (%zu hard), %zu errors\n",
	       t->messages, t->bounces, t->rcpts, t->hard, t->errors);
	printf("  reason            count\n");
	for (int r = 0; r < MW_REASON_COUNT; r++)
		if (t->reasons[r])
			printf("  %-16s %6zu\n", mw_reason_name((mw_reason)r), t->reasons[r]);
	if (nm)
		printf("  top remote MTAs:\n");
	for (size_t i = 0; i < nm; i++)
		printf("  %6zu  %s\n", mc[i], mn[i]);
	if (o->policy.ndomains)
		printf("  backscatter: %zu of %zu bounces to our domains (%.1f%%), %zu genuine\n",
		       t->backscatter, t->addressed, share, t->genuine);
}

int cmd_bounce(int argc, char **argv)
{
	bounce_opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0) {
		free_opts(&o);
		return rc;
	}
	tally t = {.mtas = mw_htab_new(NULL), .jmsgs = json_array(), .exit = CLI_EXIT_OK};
	walk_ctx w = {&o, &t};
	const mw_walk_cb cb = {walk_file, walk_error, &w};
	for (int i = 0; i < o.nfiles; i++)
		mw_walk_path(o.files[i], &cb);
	summary(&o, &t);
	if (!o.json)
		json_decref(t.jmsgs);
	mw_htab_free(t.mtas);
	free_opts(&o);
	if (t.errors && t.messages == 0)
		return CLI_EXIT_USAGE;
	return t.errors ? CLI_EXIT_USAGE : t.exit;
}
