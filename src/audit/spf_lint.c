/*
 * audit/spf_lint.c - SPF record lint (see spf_lint.h).
 */
#include "audit/spf_lint.h"

#include <stdio.h>
#include <string.h>

#include "auth/spf_record.h"
#include "core/ip.h"
#include "core/str.h"

#define SEC "spf"

typedef struct net {
	mw_ip net;         /* host bits cleared */
	int prefix;
	char qual;
	bool root;         /* written in the domain's own record */
	const char *src;   /* record that lists it */
} net;

typedef struct walk {
	dns_lookup *lk;
	audit_findings *out;
	audit_spf_info *info;
	const char *domain;
	bool need;                 /* an answer is missing: replay */
	const char *stack[MW_SPF_DEPTH_MAX + 2];
	int depth;
	net *nets;
	size_t nnets;
	bool nets_full;
	bool flat_ok;              /* every lookup could be resolved to ranges */
	const char *flat_why;      /* why not */
	mw_buf keep;               /* root terms kept verbatim when flattening */
} walk;

/* get - cached answer or NULL (need noted) */
static const dns_answer *get(walk *w, const char *name, dns_type t)
{
	const dns_answer *a = dns_lookup_get(w->lk, name, t);
	if (!a)
		w->need = true;
	return a;
}

/* no_flat - flattening cannot be exact; remember the first reason */
static void no_flat(walk *w, const char *why)
{
	if (w->flat_ok) {
		w->flat_ok = false;
		w->flat_why = why;
	}
}

/* mask_net - clear host bits */
static mw_ip mask_net(const mw_ip *ip, int prefix)
{
	mw_ip r = *ip;
	int bytes = r.family == 4 ? 4 : 16;
	for (int i = 0; i < bytes; i++) {
		int keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		r.addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
	return r;
}

/* add_net - collect a range for overlap checks and flattening */
static void add_net(walk *w, const mw_ip *ip, int prefix, char qual, bool root, const char *src)
{
	if (w->nnets >= MW_AUDIT_SPF_NETS_MAX) {
		w->nets_full = true;
		no_flat(w, "too many ranges to list");
		return;
	}
	net *n = &w->nets[w->nnets++];
	n->net = mask_net(ip, prefix);
	n->prefix = prefix;
	n->qual = qual;
	n->root = root;
	n->src = src;
}

/* is_void - NXDOMAIN or no records (§4.6.4) */
static bool is_void(const dns_answer *a)
{
	return a && (a->status == DNS_NXDOMAIN || a->status == DNS_NODATA || a->n == 0) &&
	       a->status != DNS_TEMPFAIL;
}

/* void_hit - count and report a void lookup */
static void void_hit(walk *w, const char *rec, const char *term, const char *qname,
		     const dns_answer *a)
{
	w->info->voids++;
	audit_addf(w->out, AUDIT_WARNING, SEC, "spf-void-lookup",
		   audit_strf(w->out, "%s: %s -> %s %s", rec, term, qname, dns_status_name(a->status)),
		   audit_strf(w->out, "remove \"%s\" from the record of %s, or publish the name", term,
			      rec),
		   "void lookup: %s in %s has no records", term, rec);
}

/* addr_term - a: or mx host addresses as ranges; void if none */
static bool addr_term(walk *w, const spf_term *t, const char *host, bool plus_only, bool root,
		      const char *rec)
{
	const dns_answer *a4 = get(w, host, DNS_T_A);
	const dns_answer *a6 = get(w, host, DNS_T_AAAA);
	if (!a4 || !a6)
		return true;
	if (a4->status == DNS_TEMPFAIL || a6->status == DNS_TEMPFAIL) {
		no_flat(w, "a DNS lookup failed temporarily");
		return true;
	}
	if (!plus_only || t->qual == '+') {
		for (size_t i = 0; i < a4->n; i++)
			add_net(w, &a4->rr[i].ip, t->cidr4 >= 0 ? t->cidr4 : 32, t->qual, root, rec);
		for (size_t i = 0; i < a6->n; i++)
			add_net(w, &a6->rr[i].ip, t->cidr6 >= 0 ? t->cidr6 : 128, t->qual, root, rec);
	}
	return a4->n + a6->n > 0;
}

/* mx_term - the mx mechanism: MX names (limit 10), then their addresses */
static void mx_term(walk *w, const spf_term *t, const char *host, bool plus_only, bool root,
		    const char *rec)
{
	const dns_answer *mx = get(w, host, DNS_T_MX);
	if (!mx)
		return;
	if (mx->status == DNS_TEMPFAIL) {
		no_flat(w, "a DNS lookup failed temporarily");
		return;
	}
	if (is_void(mx)) {
		void_hit(w, rec, t->text, host, mx);
		return;
	}
	if (mx->n > MW_SPF_MX_MAX)
		audit_addf(w->out, AUDIT_CRITICAL, SEC, "spf-mx-too-many",
			   audit_strf(w->out, "%s has %zu MX records", host, mx->n),
			   "list the outbound hosts with ip4:/ip6: instead of mx",
			   "%s in %s: more than %d MX hosts is a permerror (RFC 7208 §4.6.4)", t->text,
			   rec, MW_SPF_MX_MAX);
	for (size_t i = 0; i < mx->n; i++) {
		dns_lookup_want(w->lk, mx->rr[i].name, DNS_T_A);
		dns_lookup_want(w->lk, mx->rr[i].name, DNS_T_AAAA);
	}
	for (size_t i = 0; i < mx->n && i < MW_SPF_MX_MAX; i++)
		if (mx->rr[i].name && spf_name_ok(mx->rr[i].name))
			(void)addr_term(w, t, mx->rr[i].name, plus_only, root, rec);
}

static unsigned walk_record(walk *w, const char *name, const char *via, int parent);

/* on_stack - name is being walked above us (a loop) */
static bool on_stack(const walk *w, const char *name)
{
	for (int i = 0; i < w->depth; i++)
		if (mw_strcaseeq(w->stack[i], name))
			return true;
	return false;
}

/* child - include or redirect target; returns lookups below the term */
static unsigned child(walk *w, const char *target, const char *via, int self, const char *rec)
{
	if (on_stack(w, target)) {
		audit_addf(w->out, AUDIT_CRITICAL, SEC, "spf-loop",
			   audit_strf(w->out, "%s -> %s:%s, which is already being evaluated", rec, via,
				      target),
			   audit_strf(w->out, "remove %s:%s from %s", via, target, rec),
			   "SPF %s loop: %s reaches %s again", via, rec, target);
		no_flat(w, "the record has a loop");
		return MW_SPF_DNS_TERMS_MAX; /* a loop always runs out of lookups */
	}
	if (w->depth > MW_SPF_DEPTH_MAX) {
		no_flat(w, "nesting too deep");
		return 0;
	}
	return walk_record(w, target, via, self);
}

/* term_cost - one term of a record: count, recurse, collect ranges */
static unsigned term(walk *w, const spf_term *t, int self, const char *rec, bool plus_only,
		     bool root)
{
	const char *host = t->domain ? t->qname : rec;
	bool macro = t->domain && !t->qname;
	switch (t->mech) {
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		if (!plus_only || t->qual == '+')
			add_net(w, &t->net, t->mech == SPF_MECH_IP4 ? (t->cidr4 >= 0 ? t->cidr4 : 32)
								 : (t->cidr6 >= 0 ? t->cidr6 : 128),
				t->qual, root, rec);
		return 0;
	case SPF_MECH_ALL:
		return 0;
	case SPF_MECH_PTR:
		audit_addf(w->out, AUDIT_WARNING, SEC, "spf-ptr", audit_strf(w->out, "%s: %s", rec, t->text),
			   "replace ptr with the ip4:/ip6: ranges or a: names of the senders",
			   "%s uses ptr, which RFC 7208 §5.5 says not to use (slow, unreliable)", rec);
		break;
	case SPF_MECH_EXISTS:
		break;
	default:
		if (macro)
			break;
		if (t->mech == SPF_MECH_INCLUDE)
			return 1 + child(w, host, "include", self, rec);
		if (t->mech == SPF_MECH_MX) {
			mx_term(w, t, host, plus_only, root, rec);
			return 1;
		}
		if (!addr_term(w, t, host, plus_only, root, rec)) {
			const dns_answer *a4 = get(w, host, DNS_T_A);
			void_hit(w, rec, t->text, host, a4);
		}
		return 1;
	}
	/* ptr, exists, macros: cannot be turned into ranges */
	if (root)
		mw_buf_printf(&w->keep, " %s", t->text);
	else
		no_flat(w, audit_strf(w->out, "%s in %s depends on the sender", t->text, rec));
	return 1;
}

/* fetch_spf - the single SPF record of name; NULL with *problem set, or NULL+need */
static const char *fetch_spf(walk *w, const char *name, const char **problem, size_t *len,
			     const dns_answer **ans)
{
	*problem = NULL;
	const dns_answer *a = get(w, name, DNS_T_TXT);
	*ans = a;
	if (!a)
		return NULL;
	if (a->status == DNS_TEMPFAIL) {
		*problem = audit_strf(w->out, "DNS temporary failure (%s)",
				      a->reason ? a->reason : "no answer");
		return NULL;
	}
	const char *rec = NULL;
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (spf_record_is_spf(a->rr[i].txt, a->rr[i].txt_len)) {
			rec = a->rr[i].txt;
			*len = a->rr[i].txt_len;
			n++;
		}
	if (n == 0)
		*problem = a->status == DNS_NXDOMAIN ? "the name does not exist (NXDOMAIN)"
						     : "no SPF record";
	else if (n > 1)
		*problem = audit_strf(w->out, "%zu SPF records (RFC 7208 §4.5: permerror)", n);
	return *problem ? NULL : rec;
}

/* size_checks - one-string and UDP-size limits of the domain's record */
static void size_checks(walk *w, const char *name, size_t len, const dns_answer *a)
{
	size_t wire = audit_txt_wire_size(name, a);
	if (wire > MW_AUDIT_UDP_MAX)
		audit_addf(w->out, AUDIT_WARNING, SEC, "spf-answer-too-big",
			   audit_strf(w->out, "TXT answer for %s: %zu bytes without EDNS", name, wire),
			   "shorten the record (move ranges to an include:) or remove unused TXT records "
			   "at the name",
			   "the TXT answer of %s is over %d bytes: receivers without EDNS0 must retry "
			   "over TCP, some give temperror",
			   name, MW_AUDIT_UDP_MAX);
	if (len > MW_AUDIT_TXT_STRING_MAX)
		audit_addf(w->out, AUDIT_INFO, SEC, "spf-multi-string",
			   audit_strf(w->out, "record of %s is %zu bytes", name, len),
			   "publish it as several quoted strings of at most 255 bytes each; check that "
			   "the DNS provider did not cut it",
			   "the SPF record is longer than one %d-byte DNS string", MW_AUDIT_TXT_STRING_MAX);
}

/* new_node - append a tree node; -1 when full */
static int new_node(walk *w, const char *name, const char *via, int parent)
{
	audit_spf_info *in = w->info;
	if (in->nnodes >= MW_AUDIT_SPF_NODES_MAX)
		return -1;
	audit_spf_node *n = &in->nodes[in->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = audit_strf(w->out, "%s", name);
	n->via = via;
	n->depth = w->depth;
	n->parent = parent;
	return (int)in->nnodes++;
}

/* root_all - qualifier advice for the domain's own record */
static void root_all(walk *w, const spf_record *r, const char *rec)
{
	char q = 0;
	for (size_t i = 0; i < r->nterms; i++)
		if (r->terms[i].mech == SPF_MECH_ALL) {
			q = r->terms[i].qual;
			if (i + 1 < r->nterms)
				audit_addf(w->out, AUDIT_WARNING, SEC, "spf-after-all",
					   audit_strf(w->out, "%s: terms after \"%s\"", rec,
						      r->terms[i].text),
					   "move the terms before all, or remove them",
					   "terms after all in %s are never evaluated", rec);
			break;
		}
	if (q && r->redirect)
		audit_addf(w->out, AUDIT_INFO, SEC, "spf-redirect-ignored", rec, "remove redirect=",
			   "redirect= in %s is ignored because the record has all (RFC 7208 §6.1)", rec);
	if (w->depth == 1)
		w->info->all_qual = q;
	if (q == '+')
		audit_addf(w->out, AUDIT_CRITICAL, SEC, "spf-plus-all", rec,
			   "end the record with -all (or ~all while testing)",
			   "%s ends in +all: every host on the internet passes SPF", rec);
	else if (q == '?' && w->depth == 1)
		audit_addf(w->out, AUDIT_WARNING, SEC, "spf-neutral-all", rec,
			   "end the record with ~all, then -all",
			   "?all gives neutral: SPF protects nothing for hosts not listed");
	else if (!q && !r->redirect && w->depth == 1)
		audit_addf(w->out, AUDIT_WARNING, SEC, "spf-no-all", rec,
			   "end the record with ~all or -all",
			   "the record has no all and no redirect=: unlisted hosts get neutral");
}

/* walk_record - one record and its subtree; returns lookups below this record */
static unsigned walk_record(walk *w, const char *name, const char *via, int parent)
{
	int self = new_node(w, name, via, parent);
	if (self < 0) {
		no_flat(w, "too many records");
		return 0;
	}
	const char *problem = NULL;
	size_t len = 0;
	const dns_answer *ans = NULL;
	const char *txt = fetch_spf(w, name, &problem, &len, &ans);
	if (!txt) {
		w->info->nodes[self].problem = problem;
		if (problem && parent >= 0) {
			if (ans && is_void(ans))
				w->info->voids++;
			audit_addf(w->out, AUDIT_CRITICAL, SEC, "spf-broken-include",
				   audit_strf(w->out, "%s:%s -> %s", via, name, problem),
				   audit_strf(w->out, "remove %s:%s or fix the target's record", via, name),
				   "%s:%s in %s is broken: %s (permerror)", via, name,
				   w->info->nodes[parent].name, problem);
		}
		if (problem)
			no_flat(w, "a record in the tree is broken");
		return 0;
	}
	mw_err err;
	spf_record r;
	mw_status st = spf_record_parse(txt, len, w->out->pool, &r, &err);
	if (st == MW_ENOMEM)
		return 0;
	if (parent < 0) {
		w->info->record = audit_strf(w->out, "%.*s", (int)len, txt);
		size_checks(w, name, len, ans);
	}
	if (st != MW_OK) {
		w->info->nodes[self].problem = audit_strf(w->out, "syntax: %s", err.msg);
		audit_addf(w->out, AUDIT_CRITICAL, SEC, "spf-syntax",
			   audit_strf(w->out, "%s: \"%.*s\"", name, (int)(len > 300 ? 300 : len), txt),
			   "fix the record syntax (RFC 7208 §12); receivers give permerror",
			   "SPF record of %s does not parse: %s", name, err.msg);
		no_flat(w, "a record does not parse");
		return 0;
	}
	if (parent < 0)
		w->info->found = true;
	w->stack[w->depth++] = w->info->nodes[self].name;
	root_all(w, &r, name);
	bool root = parent < 0 || (strcmp(via, "redirect") == 0 && w->depth == 2);
	unsigned below = 0, own = 0;
	for (size_t i = 0; i < r.nterms; i++) {
		unsigned c = term(w, &r.terms[i], self, name, !root, parent < 0);
		if (c)
			own++;
		below += c;
	}
	if (r.redirect && !r.has_all) {
		own++;
		below += 1 + (r.redirect_q ? child(w, r.redirect_q, "redirect", self, name) : 0);
		if (!r.redirect_q)
			no_flat(w, "redirect= uses a macro");
	}
	w->depth--;
	w->info->nodes[self].own = own;
	w->info->nodes[self].cost = below + (parent < 0 ? 0 : 1);
	return below;
}

/* audit_txt_wire_size - estimated UDP answer size */
size_t audit_txt_wire_size(const char *name, const dns_answer *a)
{
	size_t qname = strlen(name) + 2; /* length bytes + root label */
	size_t size = 12 + qname + 4;
	for (size_t i = 0; a && i < a->n; i++) {
		size_t len = a->rr[i].txt_len;
		size_t strings = len ? (len + MW_AUDIT_TXT_STRING_MAX - 1) / MW_AUDIT_TXT_STRING_MAX : 1;
		size += 2 + 10 + len + strings;
	}
	return size;
}

/* tree_text - the lookup tree, one node a line */
static const char *tree_text(walk *w)
{
	mw_buf b;
	mw_buf_init(&b, 1u << 20);
	const audit_spf_info *in = w->info;
	for (size_t i = 0; i < in->nnodes; i++) {
		const audit_spf_node *n = &in->nodes[i];
		if (i == 0)
			mw_buf_printf(&b, "%s: %u lookup%s in total", n->name, in->lookups,
				      in->lookups == 1 ? "" : "s");
		else
			mw_buf_printf(&b, "%*s%s:%s costs %u", 2 * n->depth, "", n->via, n->name,
				      n->cost);
		if (n->problem)
			mw_buf_printf(&b, " [%s]", n->problem);
		mw_buf_putc(&b, '\n');
	}
	const char *s = audit_buf_str(w->out, &b);
	mw_buf_free(&b);
	return s;
}

/* covers - range a contains range b */
static bool covers(const net *a, const net *b)
{
	return a->net.family == b->net.family && a->prefix <= b->prefix &&
	       mw_ip_in_cidr(&b->net, &a->net, (unsigned)a->prefix);
}

/* net_text - "ip4:1.2.3.0/24" into a pool string */
static const char *net_text(walk *w, const net *n)
{
	char ip[MW_IP_STR_MAX];
	mw_ip_format(&n->net, ip, sizeof(ip));
	int full = n->net.family == 4 ? 32 : 128;
	if (n->prefix == full)
		return audit_strf(w->out, "ip%d:%s", n->net.family, ip);
	return audit_strf(w->out, "ip%d:%s/%d", n->net.family, ip, n->prefix);
}

/* redundant - ranges already covered by another (reported where the owner can fix them) */
static void redundant(walk *w)
{
	unsigned reported = 0;
	for (size_t j = 0; j < w->nnets && reported < 10; j++) {
		if (!w->nets[j].root)
			continue;
		for (size_t i = 0; i < w->nnets; i++) {
			if (i == j || !covers(&w->nets[i], &w->nets[j]))
				continue;
			if (covers(&w->nets[j], &w->nets[i]) && i > j && w->nets[i].root)
				continue; /* exact duplicate: report the later one */
			audit_addf(w->out, AUDIT_INFO, SEC, "spf-redundant-range",
				   audit_strf(w->out, "%s (in %s) is inside %s (in %s)",
					      net_text(w, &w->nets[j]), w->nets[j].src,
					      net_text(w, &w->nets[i]), w->nets[i].src),
				   audit_strf(w->out, "remove %s", net_text(w, &w->nets[j])),
				   "%s is already covered by another listed range", net_text(w, &w->nets[j]));
			reported++;
			break;
		}
	}
}


/* quote_txt - zone-file TXT data: quoted strings of at most 255 bytes, cut
 * after a space where there is one (the joined text is the same) */
static void quote_txt(mw_buf *b, const char *s)
{
	size_t len = strlen(s), off = 0;
	do {
		size_t n = len - off;
		if (n > MW_AUDIT_TXT_STRING_MAX) {
			n = MW_AUDIT_TXT_STRING_MAX;
			while (n > 1 && s[off + n - 1] != ' ')
				n--;
			if (n <= 1)
				n = MW_AUDIT_TXT_STRING_MAX;
		}
		mw_buf_printf(b, "%s\"%.*s\"", off ? " " : "", (int)n, s + off);
		off += n;
	} while (off < len);
}

/* flat_terms - the ranges a flattened record lists, space-separated, in order:
 * the domain's own non-pass ranges first (they decide first), then every
 * pass range not covered by another */
static void flat_terms(walk *w, mw_buf *t)
{
	for (size_t k = 0; k < w->nnets; k++)
		if (w->nets[k].root && w->nets[k].qual != '+') {
			char q[2] = {w->nets[k].qual, 0};
			mw_buf_printf(t, " %s%s", q, net_text(w, &w->nets[k]));
		}
	for (size_t k = 0; k < w->nnets; k++) {
		if (w->nets[k].qual != '+')
			continue;
		bool dup = false;
		for (size_t i = 0; i < w->nnets && !dup; i++)
			dup = i != k && w->nets[i].qual == '+' && covers(&w->nets[i], &w->nets[k]) &&
			      (!covers(&w->nets[k], &w->nets[i]) || i < k);
		if (!dup)
			mw_buf_printf(t, " %s", net_text(w, &w->nets[k]));
	}
}

/* flatten - equivalent records under the lookup limit, zone-file lines; NULL if impossible */
static const char *flatten(walk *w)
{
	mw_buf terms, out;
	mw_buf_init(&terms, 1u << 20);
	mw_buf_init(&out, 1u << 20);
	flat_terms(w, &terms);
	char all[8] = "";
	if (w->info->all_qual)
		snprintf(all, sizeof(all), " %call", w->info->all_qual);
	const char *t = mw_buf_cstr(&terms);
	const char *keep = mw_buf_cstr(&w->keep);
	const char *res = NULL;
	if (7 + strlen(t) + strlen(keep) + strlen(all) <= MW_AUDIT_SPF_FLAT_CHUNK) {
		mw_buf_printf(&out, "%s. TXT ", w->domain);
		quote_txt(&out, audit_strf(w->out, "v=spf1%s%s%s", t, keep, all));
		res = audit_buf_str(w->out, &out);
		goto done;
	}
	/* split the ranges over _spfN.<domain> records */
	mw_buf root;
	mw_buf_init(&root, 1u << 16);
	mw_buf_puts(&root, "v=spf1");
	unsigned nrec = 0;
	const char *p = t;
	while (*p) {
		mw_buf chunk;
		mw_buf_init(&chunk, 1u << 16);
		mw_buf_puts(&chunk, "v=spf1");
		while (*p) {
			const char *e = strchr(p + 1, ' ');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			if (chunk.len + n > MW_AUDIT_SPF_FLAT_CHUNK && chunk.len > 6)
				break;
			mw_buf_append(&chunk, p, n);
			p += n;
		}
		nrec++;
		mw_buf_printf(&out, "_spf%u.%s. TXT ", nrec, w->domain);
		quote_txt(&out, mw_buf_cstr(&chunk));
		mw_buf_putc(&out, '\n');
		mw_buf_printf(&root, " include:_spf%u.%s", nrec, w->domain);
		mw_buf_free(&chunk);
	}
	mw_buf_printf(&root, "%s%s", keep, all);
	unsigned kept = 0;
	for (const char *k = keep; (k = strchr(k, ' ')) != NULL; k++)
		kept++;
	if (nrec + kept <= MW_SPF_DNS_TERMS_MAX) {
		mw_buf line;
		mw_buf_init(&line, 1u << 20);
		mw_buf_printf(&line, "%s. TXT ", w->domain);
		quote_txt(&line, mw_buf_cstr(&root));
		mw_buf_printf(&line, "\n%s", mw_buf_cstr(&out));
		res = audit_buf_str(w->out, &line);
		mw_buf_free(&line);
	}
	mw_buf_free(&root);
done:
	mw_buf_free(&terms);
	mw_buf_free(&out);
	return res;
}

/* summary - lookup count, voids, overlaps, flattening */
static void summary(walk *w)
{
	audit_spf_info *in = w->info;
	if (in->lookups > MW_SPF_DNS_TERMS_MAX) {
		if (w->flat_ok)
			in->flat = flatten(w);
		const char *fix =
			in->flat
				? audit_strf(w->out,
					     "publish the flattened record(s) below, or move some senders "
					     "to a subdomain.\nCaveat: a flattened record goes stale when a "
					     "provider changes its ranges; regenerate it regularly.\n%s",
					     in->flat)
				: audit_strf(w->out,
					     "remove includes of providers you no longer use, or move "
					     "senders to subdomains (flattening is not exact: %s)",
					     w->flat_why ? w->flat_why : "unknown");
		audit_addf(w->out, AUDIT_CRITICAL, SEC, "spf-lookups-over-limit", in->tree, fix,
			   "SPF needs %u DNS lookups, over the limit of %d: receivers give permerror "
			   "(RFC 7208 §4.6.4)",
			   in->lookups, MW_SPF_DNS_TERMS_MAX);
	} else if (in->lookups >= MW_SPF_DNS_TERMS_MAX - 1) {
		audit_addf(w->out, AUDIT_WARNING, SEC, "spf-lookups-near-limit", in->tree,
			   "keep room under the limit: one more include breaks SPF",
			   "SPF needs %u of %d DNS lookups", in->lookups, MW_SPF_DNS_TERMS_MAX);
	} else {
		audit_addf(w->out, AUDIT_INFO, SEC, "spf-lookups", in->tree, NULL,
			   "SPF needs %u of %d DNS lookups", in->lookups, MW_SPF_DNS_TERMS_MAX);
	}
	if (in->voids > MW_SPF_VOID_MAX)
		audit_addf(w->out, AUDIT_CRITICAL, SEC, "spf-voids-over-limit", in->tree,
			   "remove the terms whose names have no records",
			   "%u void lookups, over the limit of %d: permerror (RFC 7208 §4.6.4)",
			   in->voids, MW_SPF_VOID_MAX);
	redundant(w);
}

/* audit_spf_lint - one pass */
mw_status audit_spf_lint(const char *domain, dns_lookup *lk, audit_findings *out,
			 audit_spf_info *info)
{
	memset(info, 0, sizeof(*info));
	walk w = {.lk = lk, .out = out, .info = info, .domain = domain, .flat_ok = true};
	info->nodes = mw_pool_alloc(out->pool, MW_AUDIT_SPF_NODES_MAX * sizeof(audit_spf_node));
	w.nets = mw_pool_alloc(out->pool, MW_AUDIT_SPF_NETS_MAX * sizeof(net));
	if (!info->nodes || !w.nets)
		return MW_ENOMEM;
	mw_buf_init(&w.keep, MW_SPF_RECORD_MAX);
	info->lookups = walk_record(&w, domain, "record", -1);
	if (w.need) {
		mw_buf_free(&w.keep);
		return MW_NEED_DNS;
	}
	if (info->nnodes > 0 && !info->found && info->nodes[0].problem &&
	    !strstr(info->nodes[0].problem, "syntax"))
		audit_addf(out, AUDIT_CRITICAL, SEC, "spf-missing", info->nodes[0].problem,
			   audit_strf(out, "publish one TXT record at %s: \"v=spf1 mx -all\" (list "
					   "every host and provider that sends as %s)", domain, domain),
			   "%s has no usable SPF record: %s", domain, info->nodes[0].problem);
	info->tree = tree_text(&w);
	if (info->found)
		summary(&w);
	mw_buf_free(&w.keep);
	return out->oom ? MW_ENOMEM : MW_OK;
}
