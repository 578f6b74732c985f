/*
 * cli/logscan_report.c - human rendering of the logscan JSON report.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *s_(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "-";
}
static long long i_(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* section - header line */
static void section(FILE *out, const char *title, size_t n)
{
	fprintf(out, "\n%s%s\n", title, n ? "" : ": none");
}

void cli_logscan_print_human(json_t *r, FILE *out);

/* cli_logscan_print_human - concise terminal report */
void cli_logscan_print_human(json_t *r, FILE *out)
{
	json_t *d = json_object_get(r, "deliveries"), *tr = json_object_get(r, "time_range");
	json_t *a, *e;
	size_t i;
	fprintf(out, "mail log: %lld lines (%lld unparsed, %lld from other programs), %s .. %s\n",
		i_(r, "lines"), i_(r, "unparsed_lines"), i_(r, "foreign_lines"), s_(tr, "first"),
		s_(tr, "last"));
	fprintf(out, "messages: %lld accepted; deliveries: %lld sent, %lld deferred, %lld bounced; "
		     "%lld rejects; %lld SASL failures\n",
		i_(r, "messages"), i_(d, "sent"), i_(d, "deferred"), i_(d, "bounced"),
		i_(json_object_get(r, "rejects"), "count"), i_(r, "sasl_failures"));
	if (i_(r, "oversized_lines") || i_(r, "truncated_gzip") || i_(r, "out_of_order_lines"))
		fprintf(out, "input: %lld oversized lines skipped, %lld truncated gzip, %lld "
			     "out-of-order lines\n",
			i_(r, "oversized_lines"), i_(r, "truncated_gzip"),
			i_(r, "out_of_order_lines"));
	a = json_object_get(r, "findings");
	section(out, "FINDINGS", json_array_size(a));
	json_array_foreach(a, i, e) {
		fprintf(out, "  [%s] %s: %s\n", s_(e, "severity"), s_(e, "type"), s_(e, "summary"));
		fprintf(out, "      %s .. %s\n      action: %s\n", s_(e, "first"), s_(e, "last"),
			s_(e, "action"));
		json_t *ev = json_object_get(e, "evidence"), *l;
		size_t j;
		json_array_foreach(ev, j, l) {
			if (j >= 3)
				break;
			fprintf(out, "      | %.300s\n", json_string_value(l));
		}
	}
	a = json_object_get(r, "top_senders");
	section(out, "TOP SENDERS (messages, recipients, unknown recipients)", json_array_size(a));
	json_array_foreach(a, i, e)
		fprintf(out, "  %8lld %8lld %6lld  %s\n", i_(e, "messages"), i_(e, "recipients"),
			i_(e, "unknown_recipients"), s_(e, "key"));
	a = json_object_get(r, "breaches");
	section(out, "RATE BREACHES", json_array_size(a));
	json_array_foreach(a, i, e)
		fprintf(out, "  %s: %s, %lld messages over the limit, %s .. %s\n", s_(e, "key"),
			s_(e, "rule"), i_(e, "count"), s_(e, "first"), s_(e, "last"));
	a = json_object_get(r, "remote_blocks");
	section(out, "REMOTE BLOCKS (by destination and MX)", json_array_size(a));
	json_array_foreach(a, i, e)
		fprintf(out, "  %s via %s [%s]: %lld refusals, %lld attempts after, %s .. %s\n"
			     "      %.300s\n",
			s_(e, "destination"), s_(e, "mx"), s_(e, "provider"), i_(e, "count"),
			i_(e, "attempts_after"), s_(e, "first"), s_(e, "last"), s_(e, "reply"));
	a = json_object_get(r, "auth_failures");
	section(out, "SASL AUTHENTICATION FAILURES", json_array_size(a));
	json_array_foreach(a, i, e) {
		if (json_object_get(e, "ip"))
			fprintf(out, "  %8lld  ip %s\n", i_(e, "count"), s_(e, "ip"));
		else
			fprintf(out, "  %8lld  user %s (from %lld addresses)\n", i_(e, "count"),
				s_(e, "username"), i_(e, "ips"));
	}
	json_t *bs = json_object_get(r, "backscatter");
	fprintf(out, "\nBACKSCATTER: %lld null-sender messages from remote clients, at most %lld "
		     "in one hour%s\n",
		i_(bs, "count"), i_(bs, "max_per_hour"),
		json_is_true(json_object_get(bs, "surge")) ? " (SURGE)" : "");
	json_t *df = json_object_get(r, "deferrals");
	fprintf(out, "DEFERRALS: %lld, at most %lld in one hour%s\n", i_(df, "count"),
		i_(df, "max_per_hour"), json_is_true(json_object_get(df, "surge")) ? " (SURGE)" : "");
	a = json_object_get(r, "local_injection");
	section(out, "LOCAL SUBMISSION (pickup, by uid)", json_array_size(a));
	json_array_foreach(a, i, e)
		fprintf(out, "  uid %-6lld %8lld messages, first sender %s\n", i_(e, "uid"),
			i_(e, "count"), s_(e, "from"));
}
