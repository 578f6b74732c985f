/*
 * dns/wire.c - DNS reply messages to dns_answer (see wire.h).
 *
 * A bounds-checked walker over RFC 1035 §4.1: header, questions (skipped),
 * answer and authority records kept as (owner, type, class, ttl, rdata)
 * slices into the message, then typed decoding of the records wanted.
 * c-ares's ares_parse_* helpers are not used because they drop the TTLs of
 * MX, TXT, PTR and NS records, which the cache needs.
 */
#include "dns/wire.h"

#include <ares.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"

#define WIRE_HEADER   12 /* RFC 1035 §4.1.1 */
#define WIRE_RR_FIXED 10 /* type, class, ttl, rdlength: RFC 1035 §4.1.3 */
#define WIRE_CLASS_IN 1

typedef struct wire_rr {
	char *owner; /* ares_malloc'd, no trailing dot */
	uint16_t type, cls;
	uint32_t ttl;
	const unsigned char *rd;
	size_t rdlen;
} wire_rr;

typedef struct wire {
	const unsigned char *buf;
	size_t len;
	unsigned qd, an, ns;
	wire_rr *rr; /* answer and authority records */
	size_t nrr, nan;
} wire;

/* get16 - big-endian 16 bits */
static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* get32 - big-endian 32 bits */
static uint32_t get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* expand - the (possibly compressed) name at p; NULL if malformed */
static char *expand(const wire *w, const unsigned char *p, size_t *enclen)
{
	char *s = NULL;
	long n = 0;
	if (p < w->buf || p >= w->buf + w->len)
		return NULL;
	if (ares_expand_name(p, w->buf, (int)w->len, &s, &n) != ARES_SUCCESS)
		return NULL;
	if (enclen)
		*enclen = (size_t)n;
	return s;
}

/* wire_free - release parsed owners */
static void wire_free(wire *w)
{
	for (size_t i = 0; i < w->nrr; i++)
		ares_free_string(w->rr[i].owner);
	free(w->rr);
	w->rr = NULL;
	w->nrr = 0;
}

/* wire_parse - header, questions skipped, answer and authority records */
static bool wire_parse(wire *w, const unsigned char *buf, size_t len)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->len = len;
	if (!buf || len < WIRE_HEADER)
		return false;
	w->qd = get16(buf + 4);
	w->an = get16(buf + 6);
	w->ns = get16(buf + 8);
	size_t off = WIRE_HEADER, enc;
	for (unsigned i = 0; i < w->qd; i++) {
		char *s = expand(w, buf + off, &enc);
		if (!s)
			return false;
		ares_free_string(s);
		if (enc + 4 > len - off)
			return false;
		off += enc + 4;
	}
	/* every RR takes at least 11 bytes, so this bounds the allocation */
	size_t want = (size_t)w->an + w->ns, most = (len - off) / 11;
	if (want > most)
		want = most;
	if (want && !(w->rr = calloc(want, sizeof(*w->rr))))
		return false;
	for (size_t i = 0; i < want; i++) {
		wire_rr *r = &w->rr[i];
		if (!(r->owner = expand(w, buf + off, &enc)))
			break;
		w->nrr++;
		if (enc + WIRE_RR_FIXED > len - off)
			break;
		const unsigned char *f = buf + off + enc;
		r->type = get16(f);
		r->cls = get16(f + 2);
		r->ttl = get32(f + 4);
		if (r->ttl > 0x7fffffffu) /* RFC 2181 §8: treat as zero */
			r->ttl = 0;
		r->rdlen = get16(f + 8);
		off += enc + WIRE_RR_FIXED;
		if (r->rdlen > len - off) {
			w->nrr--;
			ares_free_string(r->owner);
			r->owner = NULL;
			break;
		}
		r->rd = buf + off;
		off += r->rdlen;
		if (i < w->an)
			w->nan = w->nrr;
	}
	return true;
}

/* name_ok - an RFC 1035 §2.3.4 name ("" is the root) */
static bool name_ok(const char *s)
{
	char tmp[MW_DNS_NAME_MAX + 1];
	return !s[0] || mw_domain_normalize(s, tmp, sizeof(tmp));
}

/* rdata_name - name in rdata at offset skip, copied into out ("." for root) */
static bool rdata_name(const wire *w, const wire_rr *r, size_t skip, char *out)
{
	if (r->rdlen <= skip)
		return false;
	size_t enc;
	char *s = expand(w, r->rd + skip, &enc);
	if (!s)
		return false;
	bool ok = strlen(s) <= MW_DNS_NAME_MAX && name_ok(s);
	if (ok)
		strcpy(out, s[0] ? s : ".");
	ares_free_string(s);
	return ok;
}

/* rdata_txt - join the character-strings (RFC 1035 §3.3.14) */
static bool rdata_txt(const wire_rr *r, dns_rr *rr)
{
	char *t = malloc(r->rdlen + 1);
	if (!t)
		return false;
	size_t off = 0, n = 0;
	while (off < r->rdlen) {
		size_t l = r->rd[off++];
		if (l > r->rdlen - off) {
			free(t);
			return false;
		}
		memcpy(t + n, r->rd + off, l);
		n += l;
		off += l;
	}
	t[n] = '\0';
	rr->txt = t;
	rr->txt_len = n;
	return true;
}

/* rr_decode - typed record from rdata; false if malformed (skip it) */
static bool rr_decode(const wire *w, const wire_rr *r, dns_rr *rr, char *name)
{
	*rr = (dns_rr){.type = (dns_type)r->type, .ttl = r->ttl};
	switch (r->type) {
	case DNS_T_A:
	case DNS_T_AAAA: {
		size_t n = r->type == DNS_T_A ? 4 : 16;
		if (r->rdlen != n)
			return false;
		rr->ip.family = n == 4 ? 4 : 6;
		memcpy(rr->ip.addr, r->rd, n);
		return true;
	}
	case DNS_T_MX:
		if (r->rdlen < 3)
			return false;
		rr->pref = get16(r->rd);
		rr->name = name;
		return rdata_name(w, r, 2, name);
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_SOA:
		rr->name = name;
		return rdata_name(w, r, 0, name);
	case DNS_T_TXT:
		return rdata_txt(r, rr);
	}
	return false;
}

/* collect - add the answer records of (owner, type) to a; count them */
static size_t collect(const wire *w, const char *owner, dns_type type, dns_answer *a)
{
	size_t got = 0;
	for (size_t i = 0; i < w->nan; i++) {
		const wire_rr *r = &w->rr[i];
		if (r->type != type || r->cls != WIRE_CLASS_IN || !mw_strcaseeq(r->owner, owner))
			continue;
		dns_rr rr;
		char name[MW_DNS_NAME_MAX + 2];
		if (!rr_decode(w, r, &rr, name))
			continue;
		if (dns_answer_add(a, &rr) == MW_OK)
			got++;
		free(rr.txt);
	}
	return got;
}

/* next_cname - target of owner's CNAME in the answer section, with its TTL */
static bool next_cname(const wire *w, const char *owner, char *target, uint32_t *ttl)
{
	for (size_t i = 0; i < w->nan; i++) {
		const wire_rr *r = &w->rr[i];
		if (r->type == DNS_T_CNAME && r->cls == WIRE_CLASS_IN &&
		    mw_strcaseeq(r->owner, owner) && rdata_name(w, r, 0, target)) {
			*ttl = r->ttl;
			return strcmp(target, ".") != 0;
		}
	}
	return false;
}

/* positive - records of the type at the end of the CNAME chain */
static void positive(const wire *w, const char *qname, dns_type type, dns_answer *a)
{
	char cur[MW_DNS_NAME_MAX + 2];
	mw_strlcpy(cur, qname, sizeof(cur));
	size_t n = strlen(cur);
	if (n > 1 && cur[n - 1] == '.')
		cur[n - 1] = '\0';
	uint32_t chain_ttl = UINT32_MAX, t;
	for (int hop = 0; hop <= MW_DNS_CNAME_MAX; hop++) {
		if (collect(w, cur, type, a) > 0) {
			if (chain_ttl < a->ttl)
				a->ttl = chain_ttl;
			return;
		}
		if (type == DNS_T_CNAME || !next_cname(w, cur, cur, &t)) {
			a->status = DNS_NODATA; /* only a chain, or nothing usable */
			return;
		}
		if (t < chain_ttl)
			chain_ttl = t;
	}
	a->status = DNS_TEMPFAIL; /* a loop, as the zone backend reports it */
	dns_answer_set_reason(a, "CNAME chain too long");
}

/* negative_ttl - RFC 2308 §5 from the authority SOA */
static uint32_t negative_ttl(const wire *w)
{
	for (size_t i = w->nan; i < w->nrr; i++) {
		const wire_rr *r = &w->rr[i];
		if (r->type != DNS_T_SOA || r->rdlen < 20)
			continue;
		uint32_t min = get32(r->rd + r->rdlen - 4);
		uint32_t ttl = r->ttl < min ? r->ttl : min;
		return ttl > MW_DNS_NEGTTL_MAX ? MW_DNS_NEGTTL_MAX : ttl;
	}
	return MW_DNS_NEGTTL_DEFAULT;
}

/* rcode_reason - TEMPFAIL reason for an error RCODE (RFC 1035 §4.1.1, RFC 6895) */
static const char *rcode_reason(unsigned rcode, char *buf, size_t n)
{
	static const char *const names[] = {"NOERROR",  "FORMERR", "SERVFAIL",
	                                    "NXDOMAIN", "NOTIMP",  "REFUSED"};
	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(buf, n, "RCODE %u", rcode);
	return buf;
}

/* dns_wire_answer - read a reply */
dns_answer *dns_wire_answer(const unsigned char *msg, size_t len, const char *qname, dns_type type)
{
	dns_answer *a = dns_answer_new(DNS_TEMPFAIL, 0);
	if (!a)
		return NULL;
	wire w;
	if (!wire_parse(&w, msg, len)) {
		wire_free(&w);
		dns_answer_set_reason(a, "bad response");
		return a;
	}
	unsigned rcode = msg[3] & 0x0f;
	char buf[16];
	if (rcode == 0) {
		a->status = DNS_OK;
		positive(&w, qname, type, a);
		if (a->status == DNS_NODATA)
			a->ttl = negative_ttl(&w);
	} else if (rcode == 3) {
		a->status = DNS_NXDOMAIN;
		a->ttl = negative_ttl(&w);
	} else {
		dns_answer_set_reason(a, rcode_reason(rcode, buf, sizeof(buf)));
	}
	wire_free(&w);
	return a;
}
