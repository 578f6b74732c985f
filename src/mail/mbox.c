/*
 * mail/mbox.c - mbox splitting (RFC 4155).
 */
#include "mail/mbox.h"

#include <string.h>

#include "core/limits.h"

bool mw_mbox_is(const char *data, size_t len)
{
	return len >= 5 && memcmp(data, "From ", 5) == 0;
}

void mw_mbox_init(mw_mbox_iter *it, const char *data, size_t len)
{
	it->data = data;
	it->len = len;
	it->pos = 0;
	it->count = 0;
}

/* next_sep - offset of the next "\n\nFrom " (or "\n\r\nFrom ") separator after pos */
static size_t next_sep(const char *d, size_t len, size_t pos, size_t *body_end)
{
	for (size_t i = pos; i + 6 <= len; i++) {
		const char *nl = memchr(d + i, '\n', len - i);
		if (!nl)
			break;
		i = (size_t)(nl - d);
		size_t j = i + 1;
		if (j < len && d[j] == '\r')
			j++;
		if (j < len && d[j] == '\n' && j + 6 <= len && memcmp(d + j + 1, "From ", 5) == 0) {
			*body_end = i + 1;
			return j + 1;
		}
	}
	*body_end = len;
	return len;
}

/* mw_mbox_next - skip the separator line, return up to the next one */
bool mw_mbox_next(mw_mbox_iter *it, const char **msg, size_t *n)
{
	if (it->pos >= it->len || it->count >= MW_MBOX_MESSAGES_MAX)
		return false;
	size_t p = it->pos;
	if (it->len - p >= 5 && memcmp(it->data + p, "From ", 5) == 0) {
		const char *nl = memchr(it->data + p, '\n', it->len - p);
		p = nl ? (size_t)(nl - it->data) + 1 : it->len;
	}
	size_t end;
	size_t next = next_sep(it->data, it->len, p, &end);
	*msg = it->data + p;
	*n = end - p;
	it->pos = next;
	it->count++;
	return true;
}
