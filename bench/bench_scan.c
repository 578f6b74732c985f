/*
 * bench_scan.c - content scan throughput (outbound/scan.h) against the
 * number of rules, Vectorscan vs PCRE2 alone.
 *
 * Generates a deterministic corpus of messages from 5 KB to 5 MB (plain
 * text in quoted-printable, HTML, and multipart messages with a text part,
 * an HTML part and a base64 attachment), then scans the whole corpus with:
 *   - the default rules (etc/scan-rules.conf, or argv[1]);
 *   - generated rule sets of 10, 100 and 1000 rules (body regexes, phrase
 *     lists, header, link, url and attachment rules over a vocabulary that
 *     the corpus also uses, so prefixes and some whole patterns match);
 * each with Vectorscan and with MW_SCAN_PCRE2_ONLY (one pass per pattern
 * rule).  Prints corpus MB per wall second and per CPU second (the build
 * machine is shared, CPU time is the stable figure), best of BENCH_ROUNDS
 * (default 3; 1 for PCRE2 with 1000 rules).  With BENCH_WRITE=DIR, also
 * writes the corpus messages and rule sets there (for `mailwarden scan`
 * and callgrind); BENCH_DEFAULT_ONLY=1 stops after the default rules with
 * Vectorscan (for perf).  Never part of the test suite (docs/PERFORMANCE.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "outbound/scan.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

#define NWORDS 4000
static char words[NWORDS][16];

/* vocab - pronounceable pseudo-words plus a few real ones */
static void vocab(void)
{
	static const char *syl[] = {"ka", "to", "ri", "mon", "sel", "ve", "da", "lin", "or",
				    "pa", "tu", "ne", "gra", "fi", "co", "ber", "an", "us"};
	static const char *real[] = {"account", "payment", "verify", "invoice", "password",
				     "update", "delivery", "meeting", "report", "team"};
	for (int i = 0; i < NWORDS; i++) {
		if (i < 10) {
			snprintf(words[i], sizeof(words[i]), "%s", real[i]);
			continue;
		}
		words[i][0] = '\0';
		int n = 2 + (int)(rnd() % 3);
		for (int k = 0; k < n; k++)
			strcat(words[i], syl[rnd() % (sizeof(syl) / sizeof(syl[0]))]);
	}
}

static const char *word(void)
{
	return words[rnd() % NWORDS];
}

/* text - n bytes of sentences, some links */
static void text(mw_buf *b, size_t n, bool html)
{
	size_t end = b->len + n;
	while (b->len < end) {
		if (html)
			mw_buf_puts(b, "<p>");
		for (int k = 0; k < 12; k++) {
			mw_buf_printf(b, "%s%s", k ? " " : "", word());
			if (rnd() % 97 == 0)
				mw_buf_printf(b, html ? " <a href=\"https://%s.example/%s\">%s</a>"
						      : " https://%s.example/%s", word(), word(), word());
		}
		mw_buf_puts(b, html ? ".</p>\r\n" : ".\r\n");
	}
}

/* attachment - n bytes of base64 lines (random data) */
static void attachment(mw_buf *b, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 76) {
		for (int k = 0; k < 76; k++)
			mw_buf_putc(b, b64[rnd() & 63]);
		mw_buf_puts(b, "\r\n");
	}
}

/* message - one message of about size bytes, of kind 0 text, 1 html,
 * 2 multipart (text + html + base64 attachment of half the size) */
static void message(mw_buf *b, size_t size, int kind)
{
	mw_buf_printf(b, "From: %s <%s@sender.example>\r\nTo: a@rcpt.example, b@rcpt.example\r\n"
			 "Subject: %s %s %s\r\nMessage-ID: <%u@sender.example>\r\nMIME-Version: 1.0\r\n",
		      word(), word(), word(), word(), word(), rnd());
	if (kind == 0) {
		mw_buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n"
			       "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		text(b, size, false);
	} else if (kind == 1) {
		mw_buf_puts(b, "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>\r\n");
		text(b, size, true);
		mw_buf_puts(b, "</body></html>\r\n");
	} else {
		mw_buf_puts(b, "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
			       "Content-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n--b2\r\n"
			       "Content-Type: text/plain; charset=utf-8\r\n\r\n");
		text(b, size / 4, false);
		mw_buf_puts(b, "--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n");
		text(b, size / 4, true);
		mw_buf_printf(b, "--b2--\r\n--b1\r\nContent-Type: application/pdf\r\n"
				 "Content-Disposition: attachment; filename=\"%s.pdf\"\r\n"
				 "Content-Transfer-Encoding: base64\r\n\r\n",
			      word());
		attachment(b, size / 2);
		mw_buf_puts(b, "--b1--\r\n");
	}
}

/* ruleset - n generated rules of every kind */
static char *ruleset(size_t n)
{
	mw_buf b;
	mw_buf_init(&b, 1u << 24);
	mw_buf_puts(&b, "threshold 10\n");
	for (size_t i = 0; i < n; i++) {
		unsigned k = (unsigned)(i % 20);
		if (k < 8) { /* body regexes of a few shapes */
			const char *w1 = word(), *w2 = word();
			if (k % 4 == 0)
				mw_buf_printf(&b, "r%zu 2 body /\\b%s\\s+%s\\b/i\n", i, w1, w2);
			else if (k % 4 == 1)
				mw_buf_printf(&b, "r%zu 2 body /%s[ -]?%ss?/i\n", i, w1, w2);
			else if (k % 4 == 2)
				mw_buf_printf(&b, "r%zu 2 body /\\b(%s|%s) account\\b/i\n", i, w1, w2);
			else
				mw_buf_printf(&b, "r%zu 2 body /%s.{0,20}%s/i\n", i, w1, w2);
		} else if (k < 13) {
			mw_buf_printf(&b, "r%zu 3 phrase", i);
			for (int p = 0; p < 5; p++)
				mw_buf_printf(&b, " \"%s %s %s\"", word(), word(), word());
			mw_buf_putc(&b, '\n');
		} else if (k < 15) {
			mw_buf_printf(&b, "r%zu 2 header Subject /\\b%s %s\\b/i\n", i, word(), word());
		} else if (k < 17) {
			mw_buf_printf(&b, "r%zu 2 link /^https?:\\/\\/%s\\.[^\\/]*\\/%s/i\n", i, word(),
				      word());
		} else if (k < 19) {
			mw_buf_printf(&b, "r%zu 2 url %s.example %s.example %s.example\n", i, word(),
				      word(), word());
		} else {
			mw_buf_printf(&b, "r%zu 5 attachment %.8s %.8s\n", i, word(), word());
		}
	}
	return mw_buf_steal(&b);
}

static double now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct corpus {
	mw_buf msg[64];
	size_t n, bytes;
} corpus;

/* run - scan the corpus rounds times; best wall and CPU MB/s */
static void run(const corpus *c, const char *label, const char *rules, unsigned flags,
		int rounds)
{
	mw_scan_rules *r;
	mw_err err;
	double t0 = now(CLOCK_MONOTONIC);
	if (mw_scan_rules_parse_flags(rules, strlen(rules), flags, &r, &err) != MW_OK) {
		fprintf(stderr, "%s: %s\n", label, err.msg);
		exit(1);
	}
	double compile = now(CLOCK_MONOTONIC) - t0, best_w = 1e9, best_c = 1e9;
	long hits = 0;
	mw_scan_result *res = malloc(sizeof(*res));
	for (int k = 0; k < rounds; k++) {
		double w = now(CLOCK_MONOTONIC), cpu = now(CLOCK_PROCESS_CPUTIME_ID);
		hits = 0;
		for (size_t i = 0; i < c->n; i++) {
			if (mw_scan_message(r, c->msg[i].data, c->msg[i].len, res, &err) == MW_OK)
				hits += (long)res->nhits;
		}
		w = now(CLOCK_MONOTONIC) - w;
		cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu;
		best_w = w < best_w ? w : best_w;
		best_c = cpu < best_c ? cpu : best_c;
	}
	double mb = (double)c->bytes / 1e6;
	printf("%-22s %-17s %5zu rules  compile %7.1f ms  %7.1f MB/s wall  %7.1f MB/s CPU  hits %ld\n",
	       label, mw_scan_rules_engine(r), mw_scan_rules_count(r), compile * 1e3, mb / best_w,
	       mb / best_c, hits);
	fflush(stdout);
	free(res);
	mw_scan_rules_free(r);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	mw_buf b;
	mw_buf_init(&b, 1u << 24);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mw_buf_append(&b, chunk, n);
	fclose(f);
	return mw_buf_steal(&b);
}

static void save(const char *dir, const char *name, const char *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "etc/scan-rules.conf";
	char *def = slurp(path);
	if (!def) {
		fprintf(stderr, "bench_scan: cannot read %s (run from the source tree)\n", path);
		return 2;
	}
	vocab();
	/* 5 KB x 24, 50 KB x 12, 500 KB x 6, 5 MB x 3 (text, html, multipart each) */
	static const size_t sizes[] = {5000, 50000, 500000, 5000000};
	static const size_t counts[] = {24, 12, 6, 3};
	corpus *c = calloc(1, sizeof(*c));
	for (size_t s = 0; s < 4; s++)
		for (size_t k = 0; k < counts[s]; k++) {
			mw_buf *b = &c->msg[c->n++];
			mw_buf_init(b, 64u << 20);
			message(b, sizes[s], (int)(k % 3));
			c->bytes += b->len;
		}
	const char *r = getenv("BENCH_ROUNDS");
	int rounds = r ? atoi(r) : 3;
	printf("corpus: %zu messages, %.1f MB (5 KB - 5 MB; text/QP, HTML, multipart + base64)\n",
	       c->n, (double)c->bytes / 1e6);
	char *sets[3];
	static const size_t nrules[3] = {10, 100, 1000};
	for (int i = 0; i < 3; i++)
		sets[i] = ruleset(nrules[i]);
	const char *dir = getenv("BENCH_WRITE");
	if (dir) {
		char name[64];
		for (size_t i = 0; i < c->n; i++) {
			snprintf(name, sizeof(name), "msg%02zu.eml", i);
			save(dir, name, c->msg[i].data, c->msg[i].len);
		}
		for (int i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "rules%zu.conf", nrules[i]);
			save(dir, name, sets[i], strlen(sets[i]));
		}
	}
	run(c, "default rules", def, 0, rounds);
	if (getenv("BENCH_DEFAULT_ONLY"))
		return 0; /* for profiling */
	run(c, "default rules", def, MW_SCAN_PCRE2_ONLY, rounds);
	for (int i = 0; i < 3; i++) {
		char label[32];
		snprintf(label, sizeof(label), "generated");
		run(c, label, sets[i], 0, rounds);
		run(c, label, sets[i], MW_SCAN_PCRE2_ONLY, nrules[i] >= 1000 ? 1 : rounds);
	}
	for (int i = 0; i < 3; i++)
		free(sets[i]);
	for (size_t i = 0; i < c->n; i++)
		mw_buf_free(&c->msg[i]);
	free(c);
	free(def);
	return 0;
}
