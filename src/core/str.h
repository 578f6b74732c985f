/*
 * core/str.h - small string helpers shared by every layer.
 *
 * DESCRIPTION
 *   ASCII-only case folding (mail protocols are defined over ASCII; locale
 *   must never change a comparison), bounded copies and domain-name checks.
 */
#ifndef MW_CORE_STR_H
#define MW_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>

/* mw_tolower - ASCII lower case, other bytes unchanged */
static inline char mw_tolower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}
/* mw_strcaseeq - ASCII case-insensitive equality of C strings */
bool mw_strcaseeq(const char *a, const char *b);
/* mw_strncaseeq_n - counted string a (length n) equals C string b, ignoring case */
bool mw_strcaseeq_n(const char *a, size_t n, const char *b);
/* mw_strlower - lower-case a string in place; returns s */
char *mw_strlower(char *s);
/* mw_strlcpy - copy with truncation, always NUL-terminates; returns strlen(src) */
size_t mw_strlcpy(char *dst, const char *src, size_t n);
/* mw_domain_normalize - copy name into out lower-cased, trailing dot removed;
 * false if the name is empty, longer than 253 bytes, has an empty or >63-byte
 * label (RFC 1035 §2.3.4). */
bool mw_domain_normalize(const char *name, char *out, size_t n);
/* mw_domain_is_sub - name equals parent or ends in "." parent (case-insensitive) */
bool mw_domain_is_sub(const char *name, const char *parent);
/* mw_trim - pointers to first and one-past-last non-blank byte of [s, e) */
void mw_trim(const char **s, const char **e);

#endif
