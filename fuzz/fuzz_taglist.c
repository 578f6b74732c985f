/*
 * fuzz_taglist.c - libFuzzer target for the tag=value list parser.
 * Checks that every slice lies inside the input and values carry no ';'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/taglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mw_taglist tl;
	mw_err err;
	const char *s = (const char *)data;
	if (mw_taglist_parse(s, size, &tl, &err) != MW_OK)
		return 0;
	for (size_t i = 0; i < tl.n; i++) {
		const mw_tag *t = &tl.tag[i];
		if (t->name < s || t->name + t->name_len > s + size || t->value < s ||
		    t->value + t->value_len > s + size || t->name_len == 0)
			abort();
		if (memchr(t->value, ';', t->value_len))
			abort();
		char buf[64];
		(void)mw_tag_copy_nows(t, buf, sizeof(buf));
	}
	return 0;
}
