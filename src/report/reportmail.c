/*
 * report/reportmail.c - the report attachment of a DMARC report e-mail
 * (GMime 3).  See reportmail.h.
 */
#include "report/reportmail.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "report/unpack.h"

#define MW_DR_MIME_DEPTH_MAX 16 /* nested multiparts walked: reports are 1-2 deep */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
	g_mime_init();
}

/* ends_with - case-insensitive suffix test */
static bool ends_with(const char *s, const char *suf)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suf);
	return a >= b && strcasecmp(s + a - b, suf) == 0;
}

/* looks_like_report - by content type or file name */
static bool looks_like_report(GMimePart *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *type = ct ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	const char *fn = g_mime_part_get_filename(part);
	if (fn && (ends_with(fn, ".xml") || ends_with(fn, ".gz") || ends_with(fn, ".zip") ||
		   ends_with(fn, ".xml.gz")))
		return true;
	if (!type || !sub)
		return false;
	if (strcasecmp(sub, "xml") == 0)
		return strcasecmp(type, "text") == 0 || strcasecmp(type, "application") == 0;
	if (strcasecmp(type, "application") != 0)
		return false;
	static const char *const subs[] = {"gzip", "x-gzip", "zip", "x-zip",
					   "x-zip-compressed", "x-gzip-compressed"};
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcasecmp(sub, subs[i]) == 0)
			return true;
	return false;
}

/* decode_part - transfer-decoded content of part into out */
static mw_status decode_part(GMimePart *part, mw_buf *out, mw_err *err)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	if (!dw)
		return mw_err_set(err, MW_EPARSE, "report attachment has no content");
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	mw_status st = MW_OK;
	if (!ba || ba->len == 0)
		st = mw_err_set(err, MW_EPARSE, "report attachment is empty");
	else if (mw_buf_append(out, ba->data, ba->len) != MW_OK)
		st = mw_err_set(err, MW_ETOOBIG, "report attachment over %u bytes",
				MW_DR_INPUT_MAX);
	g_object_unref(mem);
	return st;
}

/* walk - depth-first search for the report part; NULL if none */
static GMimePart *walk(GMimeObject *o, int depth)
{
	if (!o || depth > MW_DR_MIME_DEPTH_MAX)
		return NULL;
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++) {
			GMimePart *p = walk(g_mime_multipart_get_part(mp, i), depth + 1);
			if (p)
				return p;
		}
		return NULL;
	}
	if (GMIME_IS_PART(o) && looks_like_report(GMIME_PART(o)))
		return GMIME_PART(o);
	return NULL;
}

/* mw_dr_mail_attachment - see header */
mw_status mw_dr_mail_attachment(const char *msg, size_t len, mw_buf *out, mw_err *err)
{
	mw_buf_init(out, MW_DR_INPUT_MAX);
	if (len > MW_DR_INPUT_MAX)
		return mw_err_set(err, MW_ETOOBIG, "report e-mail over %u bytes", MW_DR_INPUT_MAX);
	pthread_once(&gmime_once, gmime_init);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *ps = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(ps, NULL);
	g_object_unref(ps);
	g_object_unref(st);
	if (!m)
		return mw_err_set(err, MW_EPARSE, "neither XML, gzip, zip nor a MIME message");
	GMimePart *part = walk(g_mime_message_get_mime_part(m), 0);
	mw_status rc = part ? decode_part(part, out, err)
			    : mw_err_set(err, MW_ENOTFOUND,
					 "no XML, gzip or zip attachment in the message");
	g_object_unref(m);
	return rc;
}
