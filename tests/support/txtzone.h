/*
 * tests/support/txtzone.h - fill a test zone from the "NAME TXT-VALUE" line
 * format of the DKIM corpora (Mail::DKIM FAKE_DNS.dat, dkimpy dns.txt,
 * mail-auth): "NXDOMAIN" leaves the name out, "" is an empty TXT,
 * "~~Query timed out~~" / "~~SERVFAIL~~" set a test fault, # starts a
 * comment.  A record the zone refuses aborts the test binary.
 */
#ifndef MW_TEST_TXTZONE_H
#define MW_TEST_TXTZONE_H

#include <stdbool.h>
#include <stddef.h>

#include "dns/zone.h"

/* txtzone_load - the lines of text[0..len) into z, stopping after the first
 * blank line when stop_at_blank; returns the offset after what was read */
size_t txtzone_load(dns_zone *z, const char *text, size_t len, bool stop_at_blank);

#endif
