/*
 * fuzz/fuzz_disposition.c - the DMARC disposition settings parser and the
 * override matching on arbitrary bytes: every line "name=value" is a
 * setting (dmarc_forwarders, dmarc_mailing_lists, ...); a line without
 * '=' is used as List-Id, client host, From domain and ARC sealer of a
 * failing p=reject message, decided with a fixed roll.
 */
#include <stdint.h>
#include <string.h>

#include "forensics/disposition.h"

static unsigned roll(void *ctx) { return *(const unsigned *)ctx; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mw_dispo_config c;
	mw_dispo_config_init(&c);
	char line[1024], probe[1024] = "";
	size_t i = 0;
	unsigned r = size ? data[0] % 100 : 0;
	while (i < size) {
		size_t n = 0;
		while (i < size && data[i] != '\n' && n < sizeof(line) - 1)
			line[n++] = (char)data[i++];
		line[n] = '\0';
		while (i < size && data[i] != '\n')
			i++;
		i++;
		char *eq = strchr(line, '=');
		mw_err err;
		if (eq) {
			*eq = '\0';
			(void)mw_dispo_config_set(&c, line, eq + 1, &err);
		} else {
			memcpy(probe, line, n + 1);
		}
	}
	mw_ip ip;
	bool have_ip = mw_ip_parse(probe, &ip);
	mw_dispo_input in = {.dmarc = MW_AUTH_FAIL, .requested = MW_DMARC_POLICY_REJECT,
			     .pct = (int)(r % 101), .from_domain = probe,
			     .client_ip = have_ip ? &ip : NULL, .client_host = probe,
			     .list_id = probe, .arc_pass = true, .arc_oldest = probe,
			     .arc_newest = probe, .roll = roll, .roll_ctx = &r};
	mw_disposition d;
	mw_dispo_decide(&c, &in, &d);
	char comment[MW_DISPO_COMMENT_MAX];
	mw_dispo_comment(&d, comment, sizeof(comment));
	return 0;
}
