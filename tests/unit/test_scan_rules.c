/*
 * test_scan_rules.c - the default content rules (etc/scan-rules.conf),
 * rule by rule: a message that must trigger it and one that must not, with
 * base64, quoted-printable, non-UTF-8 charsets (latin-1, windows-1252,
 * iso-8859-2), broken UTF-8, RFC 2047 subjects and HTML bodies.  Every
 * message is scanned twice, with Vectorscan (when built with it) and with
 * PCRE2 alone, and both must report the same rules and score.  Also: load
 * notes for patterns Vectorscan cannot take, the phrase syntax, and
 * concurrent scans on one rule set (one scratch space per thread).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbound/scan.h"

#define FROM "From: Alice <alice@corp.example>\r\nTo: bob@corp.example\r\n"
#define HDR FROM "Subject: hello\r\n"
#define MIME "MIME-Version: 1.0\r\n"
#define TEXT(cte, charset)                                                                       \
	HDR MIME "Content-Type: text/plain; charset=" charset "\r\nContent-Transfer-Encoding: " cte \
		 "\r\n\r\n"
#define HTML HDR MIME "Content-Type: text/html; charset=utf-8\r\n\r\n"
#define ATTACH(name, ctype, b64)                                                                 \
	HDR MIME "Content-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: "        \
		 "text/plain\r\n\r\nplease see the attachment\r\n--BB\r\nContent-Type: " ctype      \
		 "\r\nContent-Disposition: attachment; filename=\"" name                             \
		 "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" b64 "\r\n--BB--\r\n"

/* zip local file headers, flag bit 0 set (encrypted) and clear */
#define ZIP_ENC "UEsDBBQAAQAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAc2VjcmV0LmRvY3g="
#define ZIP_PLAIN "UEsDBBQAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAcmVwb3J0LmRvY3g="

static const struct {
	const char *rule;
	bool want;
	const char *msg;
} CASES[] = {
	{"attach_executable", true, ATTACH("invoice.pdf.exe", "application/octet-stream", "TVqQAA==")},
	{"attach_executable", true, ATTACH("Invoice.JS", "application/javascript", "YWxlcnQoMSk=")},
	{"attach_executable", false, ATTACH("invoice.pdf", "application/pdf", "JVBERi0=")},
	{"attach_executable", false, ATTACH("data.json", "application/json", "e30=")},
	{"attach_disk_image", true, ATTACH("scan.ISO", "application/octet-stream", "AAAA")},
	{"attach_disk_image", false, ATTACH("scan.iso.txt", "text/plain", "aGk=")},
	{"attach_html", true, ATTACH("payment.html", "text/html", "PGI+aGk8L2I+")},
	{"attach_html", false, ATTACH("payment.pdf", "application/pdf", "JVBERi0=")},
	{"attach_macro", true, ATTACH("budget.xlsm", "application/vnd.ms-excel", "UEsDBA==")},
	{"attach_macro", false, ATTACH("budget.xlsx", "application/vnd.ms-excel", "UEsDBA==")},
	{"attach_container", true, ATTACH("notes.one", "application/octet-stream", "AAAA")},
	{"attach_container", false, ATTACH("notes.odt", "application/octet-stream", "AAAA")},
	{"attach_encrypted_zip", true, ATTACH("docs.zip", "application/zip", ZIP_ENC)},
	{"attach_encrypted_zip", false, ATTACH("docs.zip", "application/zip", ZIP_PLAIN)},
	{"attach_encrypted_zip", false, ATTACH("docs.7z", "application/zip", ZIP_ENC)},
	{"password_hint", true, TEXT("quoted-printable", "utf-8") "The password is=\r\n 1234\r\n"},
	{"password_hint", true, TEXT("8bit", "utf-8") "Das Passwort lautet: 5678\r\n"},
	{"password_hint", false, TEXT("8bit", "utf-8") "Your password has been changed.\r\n"},
	{"link_shortener", true, HDR "\r\nsee https://bit.ly/3abc\r\n"},
	{"link_shortener", true, HTML "<a href=\"HTTPS://Www.Bit.Ly/x\">news</a>\r\n"},
	{"link_shortener", false, HDR "\r\nsee https://notbit.ly/3abc and bit.ly without scheme\r\n"},
	{"link_free_hosting", true, HDR "\r\nhttps://login-secure.web.app/\r\n"},
	{"link_free_hosting", false, HDR "\r\nhttps://example.org/web.app\r\n"},
	{"link_form_builder", true, HTML "<a href=\"https://docs.google.com/forms/d/e/x/viewform\">form</a>"},
	{"link_form_builder", false, HTML "<a href=\"https://docs.google.com/document/d/x\">doc</a>"},
	{"link_ip_literal", true, HDR "\r\nhttp://192.0.2.10/login\r\n"},
	{"link_ip_literal", true, HDR "\r\nhttp://192.0.2.10:8080\r\n"},
	{"link_ip_literal", false, HDR "\r\nhttp://192.0.2.10.example.org/\r\n"},
	{"link_userinfo", true, HDR "\r\nhttps://www.bank.example@evil.example/x\r\n"},
	{"link_userinfo", false, HDR "\r\nhttps://evil.example/a@b\r\n"},
	{"link_punycode", true, HDR "\r\nhttps://xn--pypal-4ve.example/\r\n"},
	{"link_punycode", false, HDR "\r\nhttps://paypal.example/xn--x\r\n"},
	{"link_login_path", true, HTML "<a href=\"https://evil.example/secure/Login.php?x=1\">go</a>"},
	{"link_login_path", false, HDR "\r\nhttps://example.org/blog/login-tips\r\n"},
	{"link_email_in_query", true, HDR "\r\nhttps://evil.example/p?email=bob%40corp.example\r\n"},
	{"link_email_in_query", false, HDR "\r\nhttps://shop.example/?email=subscribed\r\n"},
	{"link_wordpress_login", true,
	 HDR "\r\nhttps://hacked.example/wp-content/plugins/x/office365/index.php\r\n"},
	{"link_wordpress_login", false, HDR "\r\nhttps://blog.example/wp-content/uploads/photo.jpg\r\n"},
	{"link_data_html", true, HDR "\r\nopen data:text/html;base64,PGh0bWw+ in a tab\r\n"},
	{"link_data_html", false, HDR "\r\ndata:image/png;base64,iVBOR\r\n"},
	{"reply_to_elsewhere", true, FROM "Reply-To: x@drop.example\r\n\r\nhi\r\n"},
	{"reply_to_elsewhere", false, FROM "Reply-To: Team <team@CORP.example>\r\n\r\nhi\r\n"},
	{"display_name_spoof", true, "From: \"ceo@corp.example\" <ceo@freemail.example>\r\n\r\nhi\r\n"},
	{"display_name_spoof", false, "From: \"ceo@corp.example\" <ceo@corp.example>\r\n\r\nhi\r\n"},
	{"display_name_own", true, "From: \"Own-Domain.invalid IT desk\" <it@evil.example>\r\n\r\nhi\r\n"},
	{"display_name_own", false, "From: \"own-domain.invalid IT\" <it@mail.own-domain.invalid>\r\n\r\nhi\r\n"},
	{"subject_urgent", true, FROM "Subject: URGENT: review\r\n\r\nhi\r\n"},
	{"subject_urgent", true, FROM "Subject: =?UTF-8?B?RHJpbmdlbmQ6IFphaGx1bmc=?=\r\n\r\nhi\r\n"},
	{"subject_urgent", false, FROM "Subject: insurgent news\r\n\r\nhi\r\n"},
	{"subject_invoice_lure", true, FROM "Subject: Invoice #443 overdue\r\n\r\nhi\r\n"},
	{"subject_invoice_lure", false, FROM "Subject: Invoice archive\r\n\r\nhi\r\n"},
	/* HTML: an entity and a tag inside the phrase, a zero-width space */
	{"phish_en_account", true, HTML "<p>Please verify&nbsp;your acc&#111;unt</p>"},
	{"phish_en_account", true, HTML "<p>Please <b>verify</b> your&#8203; account</p>"},
	{"phish_en_account", false, HTML "<p>Please verify your accountant's hours</p>"},
	{"phish_en_account", false, HTML "<script>verify your account</script><p>hello</p>"},
	{"phish_en_account", true, FROM "Subject: Verify your account\r\n\r\nhi\r\n"},
	/* broken UTF-8 around the phrase: repaired, still found */
	{"phish_en_account", true, TEXT("8bit", "utf-8") "\xff\xfe verify your account \xc3\r\n"},
	{"phish_en_payment", true,
	 TEXT("quoted-printable", "us-ascii") "Please update your =\r\nbilling information.\r\n"},
	{"phish_en_payment", false, TEXT("quoted-printable", "us-ascii") "update your billing address\r\n"},
	{"phish_en_delivery", true,
	 TEXT("base64", "utf-8") "WW91ciBwYWNrYWdlIGNvdWxkIG5vdCBiZSBkZWxpdmVyZWQuIFBheSB0aGUgZmVlLg==\r\n"},
	{"phish_en_delivery", false, TEXT("base64", "utf-8") "WW91ciBwYWNrYWdlIHdhcyBkZWxpdmVyZWQgdG9kYXku\r\n"},
	{"phish_en_lure", true, HDR "\r\nClick here, to verify.\r\n"},
	{"phish_en_lure", false, HDR "\r\nclick here to download the agenda\r\n"},
	{"phish_en_bec", true, HDR "\r\nCould you purchase gift\r\ncards for the team?\r\n"},
	{"phish_en_bec", false, HDR "\r\nThe gift card balance is low.\r\n"},
	{"phish_en_prize", true, HDR "\r\nCongratulations, you have won!\r\n"},
	{"phish_en_prize", false, HDR "\r\nYou have one new message.\r\n"},
	{"phish_de", true, TEXT("quoted-printable", "iso-8859-1") "Bitte best=E4tigen Sie Ihr Konto.\r\n"},
	{"phish_de", true, TEXT("8bit", "utf-8") "BESTÄTIGEN SIE IHR KONTO\r\n"},
	{"phish_de", false, TEXT("quoted-printable", "iso-8859-1") "Best=E4tigung Ihrer Bestellung\r\n"},
	{"phish_fr", true, TEXT("quoted-printable", "windows-1252") "V=E9rifiez votre compte\r\n"},
	{"phish_fr", true, HTML "<div>V&#201;RIFIEZ VOTRE COMPTE</div>"},
	{"phish_fr", false, TEXT("8bit", "utf-8") "Votre compte rendu est pr\xc3\xaat\r\n"},
	{"phish_es", true, TEXT("base64", "utf-8") "U3UgY3VlbnRhIGhhIHNpZG8gc3VzcGVuZGlkYS4=\r\n"},
	{"phish_es", false, TEXT("8bit", "utf-8") "Su cuenta de correo\r\n"},
	{"phish_it", true,
	 TEXT("quoted-printable", "iso-8859-1") "Il tuo account =E8 stato sospeso.\r\n"},
	{"phish_it", false, TEXT("quoted-printable", "iso-8859-1") "Il tuo account =E8 attivo.\r\n"},
	{"phish_nl", true, HTML "<p>Uw account is <b>geblokkeerd</b></p>"},
	{"phish_nl", false, HTML "<p>Uw account is actief</p>"},
	{"phish_pt", true, HDR "\r\nSua conta foi suspensa.\r\n"},
	{"phish_pt", false, HDR "\r\nSua conta foi criada.\r\n"},
	{"phish_pl", true,
	 TEXT("quoted-printable", "iso-8859-2") "Twoje konto zosta=B3o zablokowane.\r\n"},
	{"phish_pl", false,
	 TEXT("quoted-printable", "iso-8859-2") "Twoje konto zosta=B3o utworzone.\r\n"},
};

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *b = malloc(1u << 20);
	assert_non_null(b);
	*n = fread(b, 1, (1u << 20) - 1, f);
	b[*n] = '\0';
	fclose(f);
	return b;
}

/* load - the default rules with the given flags */
static mw_scan_rules *load(unsigned flags)
{
	size_t n;
	char *text = slurp(MW_SOURCE_DIR "/etc/scan-rules.conf", &n);
	mw_scan_rules *r;
	mw_err err;
	mw_err_clear(&err);
	if (mw_scan_rules_parse_flags(text, n, flags, &r, &err) != MW_OK)
		fail_msg("etc/scan-rules.conf: %s", err.msg);
	free(text);
	assert_string_equal(mw_scan_rules_notes(r), ""); /* every default pattern fits Vectorscan */
	return r;
}

/* names - matched rule names, space-separated */
static void names(const mw_scan_result *res, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t k = 0; k < res->nhits; k++)
		snprintf(out + strlen(out), n - strlen(out), " %s", res->hit[k].rule);
	snprintf(out + strlen(out), n - strlen(out), " ");
}

/* Every case: the rule matches or not as wanted; both engines agree. */
static void test_default_rules(void **state)
{
	(void)state;
	mw_scan_rules *hs = load(0), *pc = load(MW_SCAN_PCRE2_ONLY);
	assert_string_equal(mw_scan_rules_engine(pc), "pcre2");
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
		mw_scan_result a, b;
		mw_err err;
		const char *m = CASES[i].msg;
		assert_int_equal(mw_scan_message(hs, m, strlen(m), &a, &err), MW_OK);
		assert_int_equal(mw_scan_message(pc, m, strlen(m), &b, &err), MW_OK);
		char got[1024], got2[1024], want[80];
		names(&a, got, sizeof(got));
		names(&b, got2, sizeof(got2));
		snprintf(want, sizeof(want), " %s ", CASES[i].rule);
		if ((strstr(got, want) != NULL) != CASES[i].want)
			fail_msg("case %zu (%s): got [%s], want %s %s", i, CASES[i].rule, got,
				 CASES[i].want ? "a match of" : "no match of", CASES[i].rule);
		if (strcmp(got, got2) || a.score != b.score)
			fail_msg("case %zu: engines differ: [%s] %d vs pcre2 [%s] %d", i, got, a.score,
				 got2, b.score);
	}
	/* every rule of the file has a matching and a non-matching case */
	size_t n;
	char *text = slurp(MW_SOURCE_DIR "/etc/scan-rules.conf", &n), *save = NULL;
	size_t nrules = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		if (line[0] == '#' || sscanf(line, "%63s", name) != 1 || !strcmp(name, "threshold"))
			continue;
		nrules++;
		int yes = !strcmp(name, "many_recipients"), no = yes; /* test_many_recipients */
		for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
			if (!strcmp(CASES[i].rule, name))
				CASES[i].want ? yes++ : no++;
		if (!yes || !no)
			fail_msg("rule %s: %d matching and %d non-matching cases", name, yes, no);
	}
	assert_int_equal(nrules, mw_scan_rules_count(hs));
	free(text);
	mw_scan_rules_free(hs);
	mw_scan_rules_free(pc);
}

/* many_recipients: 51 addresses hold, 50 do not */
static void test_many_recipients(void **state)
{
	(void)state;
	mw_scan_rules *r = load(0);
	for (int n = 50; n <= 51; n++) {
		char msg[8192] = "From: a@corp.example\r\nTo: ";
		for (int k = 0; k < n; k++)
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%su%d@x.example",
				 k ? ", " : "", k);
		strcat(msg, "\r\n\r\nhi\r\n");
		mw_scan_result res;
		mw_err err;
		assert_int_equal(mw_scan_message(r, msg, strlen(msg), &res, &err), MW_OK);
		char got[256];
		names(&res, got, sizeof(got));
		assert_int_equal(strstr(got, " many_recipients ") != NULL, n == 51);
	}
	mw_scan_rules_free(r);
}

/* Patterns Vectorscan refuses: prefiltered or left to PCRE2, noted at
 * load, and still matched exactly as PCRE2 says. */
static void test_fallback_notes(void **state)
{
	(void)state;
	const char *rules = "ahead 1 body /pay(?=ment)/\n"  /* look-ahead: prefilter */
			    "rec 1 body /x(?R)?y/\n"         /* recursion: PCRE2 pass */
			    "plain 1 body /invoice/i\n";
	mw_scan_rules *r;
	mw_err err;
	assert_int_equal(mw_scan_rules_parse(rules, strlen(rules), &r, &err), MW_OK);
	const char *notes = mw_scan_rules_notes(r);
	if (strncmp(mw_scan_rules_engine(r), "vectorscan", 10) == 0) {
		assert_non_null(strstr(notes, "rule ahead: Vectorscan prefilter"));
		assert_non_null(strstr(notes, "rule rec: PCRE2 pass"));
		assert_null(strstr(notes, "rule rec: Vectorscan"));
		assert_null(strstr(notes, "rule plain"));
	}
	static const struct {
		const char *body, *want;
	} cases[] = {
		{"payment for INVOICE abc", " ahead plain "},
		{"pay day, x y", " "},
		{"payments", " ahead "},
		{"a xxyy b", " rec "},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[256], got[256];
		snprintf(msg, sizeof(msg), "From: a@b.example\r\n\r\n%s\r\n", cases[i].body);
		mw_scan_result res;
		assert_int_equal(mw_scan_message(r, msg, strlen(msg), &res, &err), MW_OK);
		names(&res, got, sizeof(got));
		if (strcmp(got, cases[i].want))
			fail_msg("case %zu: got [%s] want [%s]", i, got, cases[i].want);
	}
	mw_scan_rules_free(r);
}

/* Phrase syntax: errors, and what a phrase becomes. */
static void test_phrase_syntax(void **state)
{
	(void)state;
	static const struct {
		const char *rules, *want_err;
	} bad[] = {
		{"p 1 phrase\n", "line 1: needs at least one"},
		{"p 1 phrase verify\n", "line 1: phrase wants"},
		{"p 1 phrase \"unterminated\n", "line 1: phrase wants"},
		{"p 1 phrase \"\"\n", "line 1: phrase wants"},
		{"p 1 phrase \" edge\"\n", "line 1: phrase wants"},
		{"p 1 phrase \"a\"\"b\"\n", "line 1: want a blank"},
		{"p 1 link /x/ extra\n", "line 1: unexpected text after the regex"},
		{"p 1 display-name-own\n", "line 1: needs at least one item"},
		{"p 1 encrypted-archive zip\n", "line 1: unexpected text"},
		{"p 1 header /x/\n", "line 1: header wants FIELD"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mw_scan_rules *r = (mw_scan_rules *)1;
		mw_err err;
		mw_err_clear(&err);
		mw_status st = mw_scan_rules_parse(bad[i].rules, strlen(bad[i].rules), &r, &err);
		if (st == MW_OK || r || strncmp(err.msg, bad[i].want_err, strlen(bad[i].want_err)))
			fail_msg("case %zu: got %d '%s', want '%s'", i, st, err.msg, bad[i].want_err);
	}
	/* regex characters in a phrase are literal; "a.b" is not "axb" */
	const char *rules = "p 1 phrase \"a.b (c)\" \"x+y\" \"Zostało\" \"ΑΘΗΝΑ\"\n";
	mw_scan_rules *r;
	mw_err err;
	assert_int_equal(mw_scan_rules_parse(rules, strlen(rules), &r, &err), MW_OK);
	static const struct {
		const char *body;
		int score;
	} cases[] = {{"A.B (C)", 1},	 {"axb (c)", 0},	    {"say x+y", 1},
		     {"xxy", 0},	 {"a.b\r\n  (c)", 1},	    {"xa.b (c)", 0},
		     /* two-byte letters: case-insensitive, but not accent-insensitive */
		     {"ZOSTAŁO", 1},	 {"zostalo", 0},	    {"αθηνα", 1},
		     /* the first occurrence fails the word boundary, the second counts */
		     {"xa.b (c) and then a.b (c)", 1}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[128];
		snprintf(msg, sizeof(msg), "From: a@b.example\r\n\r\n%s\r\n", cases[i].body);
		mw_scan_result res;
		assert_int_equal(mw_scan_message(r, msg, strlen(msg), &res, &err), MW_OK);
		if (res.score != cases[i].score)
			fail_msg("case %zu: got %d want %d", i, res.score, cases[i].score);
	}
	mw_scan_rules_free(r);
}

typedef struct thr {
	const mw_scan_rules *r;
	int bad;
} thr;

static void *scan_many(void *p)
{
	thr *t = p;
	for (int k = 0; k < 200; k++) {
		const char *m = CASES[k % (sizeof(CASES) / sizeof(CASES[0]))].msg;
		mw_scan_result res;
		mw_err err;
		if (mw_scan_message(t->r, m, strlen(m), &res, &err) != MW_OK)
			t->bad++;
	}
	return NULL;
}

/* Four threads scanning with the same rules: no shared scratch space */
static void test_threads(void **state)
{
	(void)state;
	mw_scan_rules *r = load(0);
	pthread_t tid[4];
	thr t[4];
	for (int i = 0; i < 4; i++) {
		t[i] = (thr){r, 0};
		assert_int_equal(pthread_create(&tid[i], NULL, scan_many, &t[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		assert_int_equal(t[i].bad, 0);
	}
	mw_scan_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_rules),   cmocka_unit_test(test_many_recipients),
		cmocka_unit_test(test_fallback_notes),  cmocka_unit_test(test_phrase_syntax),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
