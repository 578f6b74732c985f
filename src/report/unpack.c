/*
 * report/unpack.c - gzip (zlib) and zip (libzip) inflation with bomb limits.
 * See unpack.h.
 */
#include "report/unpack.h"

#include <string.h>
#include <strings.h>
#include <zip.h>
#include <zlib.h>

#include "core/limits.h"

/* mw_pack_detect - see header */
mw_pack_kind mw_pack_detect(const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return MW_PACK_GZIP;
	if (len >= 4 && memcmp(p, "PK\3\4", 4) == 0)
		return MW_PACK_ZIP;
	return MW_PACK_NONE;
}

/* over_ratio - output so far is suspicious for the given compressed size */
static bool over_ratio(size_t out, size_t in)
{
	return out > MW_DR_RATIO_FLOOR && out / (in ? in : 1) > MW_DR_RATIO_MAX;
}

/* bomb_err - the common error for both limits */
static mw_status bomb_err(mw_err *err, size_t out, size_t in)
{
	if (out > MW_DR_XML_MAX)
		return mw_err_set(err, MW_ETOOBIG, "uncompressed report over %u bytes",
				  MW_DR_XML_MAX);
	return mw_err_set(err, MW_ETOOBIG,
			  "compression ratio over %d:1 (%zu bytes from %zu): refusing a likely zip bomb",
			  MW_DR_RATIO_MAX, out, in);
}

/* gunzip - inflate a gzip stream (several members allowed) */
static mw_status gunzip(const unsigned char *in, size_t len, mw_buf *out, mw_err *err)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return mw_err_set(err, MW_ENOMEM, "zlib init failed");
	z.next_in = (unsigned char *)in;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	unsigned char chunk[65536];
	int rc = Z_OK;
	mw_status st = MW_OK;
	while (st == MW_OK) {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && z.avail_in == 0)) {
			st = mw_err_set(err, MW_EPARSE, "corrupt gzip data: %s",
					z.msg ? z.msg : "inflate error");
			break;
		}
		size_t got = sizeof(chunk) - z.avail_out;
		if (out->len + got > MW_DR_XML_MAX || over_ratio(out->len + got, len)) {
			st = bomb_err(err, out->len + got, len);
			break;
		}
		if (mw_buf_append(out, chunk, got) != MW_OK) {
			st = mw_err_set(err, MW_ENOMEM, "out of memory");
			break;
		}
		if (rc == Z_STREAM_END) {
			if (z.avail_in == 0 || z.next_in[0] != 0x1f)
				break; /* done (trailing garbage after the last member ignored) */
			inflateReset(&z);
		} else if (got == 0 && z.avail_in == 0) {
			st = mw_err_set(err, MW_EPARSE, "truncated gzip data (%zu bytes in)", len);
		}
	}
	inflateEnd(&z);
	return st;
}

/* zip_pick - index of the entry to read: first *.xml, else first; -1 if none */
static zip_int64_t zip_pick(zip_t *za, mw_err *err)
{
	zip_int64_t n = zip_get_num_entries(za, 0), pick = -1;
	if (n <= 0) {
		mw_err_set(err, MW_EPARSE, "empty zip archive");
		return -1;
	}
	if (n > MW_DR_ZIP_ENTRIES_MAX) {
		mw_err_set(err, MW_ETOOBIG, "zip archive with %lld entries (limit %d)",
			   (long long)n, MW_DR_ZIP_ENTRIES_MAX);
		return -1;
	}
	for (zip_int64_t i = 0; i < n && pick < 0; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		size_t l = name ? strlen(name) : 0;
		if (l > 4 && strcasecmp(name + l - 4, ".xml") == 0)
			pick = i;
	}
	return pick < 0 ? 0 : pick;
}

/* zip_read_entry - read entry idx, declared size checked first, then enforced */
static mw_status zip_read_entry(zip_t *za, zip_int64_t idx, size_t inlen, mw_buf *out,
				mw_err *err)
{
	zip_stat_t zs;
	zip_stat_init(&zs);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &zs) != 0)
		return mw_err_set(err, MW_EPARSE, "unreadable zip entry");
	if ((zs.valid & ZIP_STAT_SIZE) &&
	    (zs.size > MW_DR_XML_MAX || over_ratio((size_t)zs.size, inlen)))
		return bomb_err(err, (size_t)zs.size, inlen);
	zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!zf)
		return mw_err_set(err, MW_EPARSE, "cannot open zip entry: %s",
				  zip_strerror(za));
	char chunk[65536];
	mw_status st = MW_OK;
	for (;;) {
		zip_int64_t got = zip_fread(zf, chunk, sizeof(chunk));
		if (got < 0) {
			st = mw_err_set(err, MW_EPARSE, "corrupt zip entry: %s",
					zip_file_strerror(zf));
			break;
		}
		if (got == 0)
			break;
		if (out->len + (size_t)got > MW_DR_XML_MAX ||
		    over_ratio(out->len + (size_t)got, inlen)) {
			st = bomb_err(err, out->len + (size_t)got, inlen);
			break;
		}
		if (mw_buf_append(out, chunk, (size_t)got) != MW_OK) {
			st = mw_err_set(err, MW_ENOMEM, "out of memory");
			break;
		}
	}
	zip_fclose(zf);
	return st;
}

/* unzip - the report entry of a zip archive held in memory */
static mw_status unzip(const void *in, size_t len, mw_buf *out, mw_err *err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(in, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return mw_err_set(err, MW_ENOMEM, "zip source: out of memory");
	}
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!za) {
		zip_source_free(src);
		mw_status st = mw_err_set(err, MW_EPARSE, "not a readable zip archive: %s",
					  zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return st;
	}
	zip_error_fini(&ze);
	mw_status st;
	zip_int64_t idx = zip_pick(za, err);
	st = idx < 0 ? err ? err->code : MW_EPARSE : zip_read_entry(za, idx, len, out, err);
	zip_discard(za); /* frees the source too */
	return st;
}

/* mw_unpack - see header */
mw_status mw_unpack(const void *data, size_t len, mw_buf *out, mw_err *err)
{
	mw_buf_init(out, MW_DR_XML_MAX);
	switch (mw_pack_detect(data, len)) {
	case MW_PACK_GZIP:
		return gunzip(data, len, out, err);
	case MW_PACK_ZIP:
		return unzip(data, len, out, err);
	default:
		if (len > MW_DR_XML_MAX)
			return mw_err_set(err, MW_ETOOBIG, "report over %u bytes", MW_DR_XML_MAX);
		if (mw_buf_append(out, data, len) != MW_OK)
			return mw_err_set(err, MW_ENOMEM, "out of memory");
		return MW_OK;
	}
}
