/*
 * bounce/status.h - RFC 3463 enhanced mail system status codes and SMTP
 * reply codes (RFC 5321 §4.2) found in bounce text.
 *
 * DESCRIPTION
 *   A status code is class.subject.detail: class 2 (success), 4 (persistent
 *   transient failure) or 5 (permanent failure); subject 0-7 (RFC 3463 §3.1,
 *   IANA registry); subject and detail are 1-3 digits (§2).  Parsers here
 *   take counted strings, never read past the end and accept only the
 *   grammar of §2 with word boundaries on both sides, so "1.5.0.2" (an IP
 *   address or version number) is not a status code.
 *
 * LIMITS
 *   A code is at most 9 bytes ("5.999.999"); MW_STATUS_STR_MAX holds it.
 */
#ifndef MW_BOUNCE_STATUS_H
#define MW_BOUNCE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#define MW_STATUS_STR_MAX 12

/* mw_status_code_valid - s is exactly an RFC 3463 code (class 2, 4 or 5) */
bool mw_status_code_valid(const char *s, size_t n);

/* mw_status_code_find - first RFC 3463 code in [s, s+n) with word
 * boundaries; copies it to out (MW_STATUS_STR_MAX) and returns its offset,
 * or -1.  Codes of class 2 are skipped unless want_success. */
long mw_status_code_find(const char *s, size_t n, bool want_success, char *out);

/* mw_reply_code_find - first SMTP reply code 4yz/5yz (RFC 5321 §4.2) that
 * starts a token and is followed by space, '-' or end; copies the three
 * digits to out (4 bytes) and returns its offset, or -1. */
long mw_reply_code_find(const char *s, size_t n, char *out);

/* mw_status_is_generic - x.0.0 or missing detail: says little about why */
bool mw_status_is_generic(const char *code);

#endif
