/*
 * report/drmail.c - aggregate report e-mail with GMime 3 (see drmail.h).
 */
#include "report/drmail.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t drmail_once = PTHREAD_ONCE_INIT;

static void drmail_init(void)
{
	g_mime_init();
}

/* text_part - the human-readable first part */
static GMimeObject *text_part(const mw_drmail_opts *o)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "This is a DMARC aggregate report (RFC 9990) for %s from %s.\n"
		 "Report-ID: %s\n"
		 "The report is attached as %s (gzip-compressed XML).\n",
		 o->domain, o->submitter, o->report_id, o->filename);
	GMimeTextPart *tp = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(tp, text);
	return GMIME_OBJECT(tp);
}

/* gz_part - the application/gzip attachment, base64 */
static GMimeObject *gz_part(const mw_drmail_opts *o, const void *gz, size_t len)
{
	GMimePart *p = g_mime_part_new_with_type("application", "gzip");
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(gz, len);
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(p, dw);
	g_object_unref(dw);
	g_object_unref(s);
	g_mime_part_set_filename(p, o->filename);
	g_mime_object_set_disposition(GMIME_OBJECT(p), "attachment");
	g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_BASE64);
	return GMIME_OBJECT(p);
}

/* set_headers - From, To, Subject, Date, Message-ID */
static void set_headers(GMimeMessage *m, const mw_drmail_opts *o)
{
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, NULL, o->from);
	for (size_t i = 0; i < o->nto; i++)
		g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL, o->to[i]);
	char subj[1024], mid[512];
	snprintf(subj, sizeof(subj), "Report Domain: %s Submitter: %s Report-ID: <%s>", o->domain,
		 o->submitter, o->report_id);
	g_mime_message_set_subject(m, subj, NULL);
	GDateTime *dt = g_date_time_new_from_unix_utc(o->date);
	g_mime_message_set_date(m, dt);
	g_date_time_unref(dt);
	snprintf(mid, sizeof(mid), "%s.%s@%s", o->report_id, o->domain, o->submitter);
	g_mime_message_set_message_id(m, mid);
}

/* mw_drmail_build - compose and serialise */
mw_status mw_drmail_build(const mw_drmail_opts *o, const void *gz, size_t len, mw_buf *out,
			  mw_err *err)
{
	if (!o->from || !o->nto || !o->submitter || !o->domain || !o->report_id || !o->filename)
		return mw_err_set(err, MW_EINVAL, "report e-mail: a header value is missing");
	for (size_t i = 0; i < o->nto; i++)
		if (strpbrk(o->to[i], "\r\n"))
			return mw_err_set(err, MW_EINVAL, "report e-mail: bad address");
	pthread_once(&drmail_once, drmail_init);
	GMimeMessage *m = g_mime_message_new(TRUE);
	set_headers(m, o);
	GMimeMultipart *mp = g_mime_multipart_new_with_subtype("mixed");
	GMimeObject *t = text_part(o), *g = gz_part(o, gz, len);
	g_mime_multipart_add(mp, t);
	g_mime_multipart_add(mp, g);
	g_object_unref(t);
	g_object_unref(g);
	g_mime_message_set_mime_part(m, GMIME_OBJECT(mp));
	g_object_unref(mp);
	GMimeStream *s = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, s);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
	mw_status st = ba ? mw_buf_append(out, ba->data, ba->len) : MW_ENOMEM;
	g_object_unref(s);
	g_object_unref(m);
	if (st != MW_OK)
		return mw_err_set(err, st, "report e-mail does not fit the output buffer");
	return MW_OK;
}
