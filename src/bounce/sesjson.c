/*
 * bounce/sesjson.c - Amazon SES JSON notifications (jansson).
 */
#include "bounce/sesjson.h"

#include <jansson.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* unwrap - the SES object: direct, or inside an SNS envelope's "Message" */
static json_t *unwrap(json_t *root)
{
	if (str(root, "notificationType") || str(root, "eventType"))
		return json_incref(root);
	const char *msg = str(root, "Message");
	if (!msg)
		return NULL;
	json_t *inner = json_loads(msg, JSON_REJECT_DUPLICATES, NULL);
	if (inner && (str(inner, "notificationType") || str(inner, "eventType")))
		return inner;
	json_decref(inner);
	return NULL;
}

/* fill - recipients from one array ("emailAddress" objects or strings) */
static void fill(mw_pool *pool, json_t *list, mw_ses *out, const char *action)
{
	size_t n = json_array_size(list);
	if (n > MW_BOUNCE_RCPTS_MAX)
		n = MW_BOUNCE_RCPTS_MAX;
	out->rcpts = n ? mw_pool_alloc(pool, n * sizeof(*out->rcpts)) : NULL;
	for (size_t i = 0; out->rcpts && i < n; i++) {
		json_t *e = json_array_get(list, i);
		const char *addr = json_is_string(e) ? json_string_value(e) : str(e, "emailAddress");
		if (!addr)
			continue;
		mw_ses_rcpt *r = &out->rcpts[out->nrcpt++];
		r->address = mw_pool_strdup(pool, addr);
		const char *a = str(e, "action");
		char *al = mw_pool_strdup(pool, a ? a : action);
		r->action = al ? mw_strlower(al) : action;
		const char *st = str(e, "status");
		if (st && mw_status_code_valid(st, strlen(st)) && strlen(st) < MW_STATUS_STR_MAX)
			strcpy(r->status, st);
		const char *d = str(e, "diagnosticCode");
		r->diagnostic = mw_pool_strdup(pool, d ? d : "");
	}
}

/* mw_ses_parse - see header */
bool mw_ses_parse(mw_pool *pool, const char *text, size_t n, mw_ses *out)
{
	memset(out, 0, sizeof(*out));
	while (n && (*text == ' ' || *text == '\n' || *text == '\r' || *text == '\t'))
		text++, n--;
	if (!n || *text != '{' || !memmem(text, n, "Type", 4))
		return false;
	json_t *root = json_loadb(text, n, JSON_DISABLE_EOF_CHECK, NULL);
	if (!root) {
		/* mail transport may have wrapped long lines inside strings */
		char *flat = mw_pool_alloc(pool, n + 1);
		size_t k = 0;
		for (size_t i = 0; flat && i < n; i++)
			if (text[i] != '\n' && text[i] != '\r')
				flat[k++] = text[i];
		root = flat ? json_loadb(flat, k, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	}
	json_t *ses = root ? unwrap(root) : NULL;
	json_decref(root);
	if (!ses)
		return false;
	const char *t = str(ses, "notificationType");
	t = t ? t : str(ses, "eventType");
	json_t *b = json_object_get(ses, "bounce");
	json_t *c = json_object_get(ses, "complaint");
	json_t *d = json_object_get(ses, "delivery");
	if (t && mw_strcaseeq(t, "Bounce") && b) {
		out->type = MW_SES_BOUNCE;
		const char *bt = str(b, "bounceType");
		out->temporary = bt && mw_strcaseeq(bt, "Transient");
		const char *mta = str(b, "reportingMTA");
		out->reporting_mta = mta ? mw_pool_strdup(pool, mta) : NULL;
		fill(pool, json_object_get(b, "bouncedRecipients"), out, "failed");
	} else if (t && mw_strcaseeq(t, "Complaint") && c) {
		out->type = MW_SES_COMPLAINT;
		const char *ft = str(c, "complaintFeedbackType");
		char *f = mw_pool_strdup(pool, ft ? ft : "abuse");
		out->feedback_type = f ? mw_strlower(f) : NULL;
		fill(pool, json_object_get(c, "complainedRecipients"), out, "feedback");
	} else if (t && mw_strcaseeq(t, "Delivery") && d) {
		out->type = MW_SES_DELIVERY;
		fill(pool, json_object_get(d, "recipients"), out, "delivered");
	}
	json_decref(ses);
	return out->type != MW_SES_NONE && out->nrcpt > 0;
}
