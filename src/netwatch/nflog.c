/*
 * netwatch/nflog.c - NFLOG reader on libnetfilter_log (optional).
 */
#include "netwatch/nflog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef MW_HAVE_NFLOG
#include <sys/socket.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "core/limits.h"

struct mw_nflog {
	struct nflog_handle *h;
	struct nflog_g_handle *gh;
	/* set for the duration of one mw_nflog_read */
	mw_nflog_fn fn;
	void *ud;
	uint64_t bad;
	char buf[65536];
};

bool mw_nflog_available(void)
{
	return true;
}

/* on_packet - libnetfilter_log callback: parse and hand over */
static int on_packet(struct nflog_g_handle *gh, struct nfgenmsg *nfmsg, struct nflog_data *nfad,
		     void *data)
{
	(void)gh;
	(void)nfmsg;
	mw_nflog *n = data;
	char *payload = NULL;
	int len = nflog_get_payload(nfad, &payload);
	mw_nw_pkt pkt;
	if (len <= 0 || mw_nw_parse_packet((const uint8_t *)payload, (size_t)len, &pkt, NULL) !=
				MW_OK) {
		n->bad++;
		return 0;
	}
	uint32_t uid;
	long long u = nflog_get_uid(nfad, &uid) == 0 ? (long long)uid : -1;
	n->fn(&pkt, u, n->ud);
	return 0;
}

mw_nflog *mw_nflog_open(uint16_t group, mw_err *err)
{
	mw_nflog *n = calloc(1, sizeof(*n));
	if (n == NULL) {
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	n->h = nflog_open();
	if (n->h == NULL) {
		mw_err_set(err, MW_EIO, "nflog_open: %s", strerror(errno));
		goto fail;
	}
	/* kernels before 3.17 need the family bound; newer ones ignore it */
	nflog_bind_pf(n->h, AF_INET);
	nflog_bind_pf(n->h, AF_INET6);
	n->gh = nflog_bind_group(n->h, group);
	if (n->gh == NULL) {
		mw_err_set(err, MW_EIO, "NFLOG group %u: %s (root needed; group in use?)", group,
			   strerror(errno));
		goto fail;
	}
	/* the kernel adds NFULA_UID by itself when the packet has a socket */
	if (nflog_set_mode(n->gh, NFULNL_COPY_PACKET, MW_NW_NFLOG_COPY) < 0) {
		mw_err_set(err, MW_EIO, "NFLOG group %u setup: %s", group, strerror(errno));
		goto fail;
	}
	nflog_callback_register(n->gh, on_packet, n);
	return n;
fail:
	mw_nflog_close(n);
	return NULL;
}

int mw_nflog_fd(const mw_nflog *n)
{
	return nflog_fd(n->h);
}

mw_status mw_nflog_read(mw_nflog *n, mw_nflog_fn fn, void *ud, uint64_t *bad, mw_err *err)
{
	ssize_t r = recv(nflog_fd(n->h), n->buf, sizeof(n->buf), MSG_DONTWAIT);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return MW_OK;
		if (errno == ENOBUFS) /* kernel dropped logs: we fell behind */
			return mw_err_set(err, MW_ETEMP, "NFLOG overrun: some packets were lost");
		return mw_err_set(err, MW_EIO, "NFLOG recv: %s", strerror(errno));
	}
	n->fn = fn;
	n->ud = ud;
	n->bad = 0;
	nflog_handle_packet(n->h, n->buf, (int)r);
	if (bad)
		*bad += n->bad;
	return MW_OK;
}

void mw_nflog_close(mw_nflog *n)
{
	if (n == NULL)
		return;
	if (n->gh)
		nflog_unbind_group(n->gh);
	if (n->h)
		nflog_close(n->h);
	free(n);
}

#else /* !MW_HAVE_NFLOG */

struct mw_nflog {
	int unused;
};

bool mw_nflog_available(void)
{
	return false;
}

mw_nflog *mw_nflog_open(uint16_t group, mw_err *err)
{
	mw_err_set(err, MW_EINVAL,
		   "NFLOG group %u: built without libnetfilter_log (install "
		   "libnetfilter-log-dev and rebuild)",
		   group);
	return NULL;
}

int mw_nflog_fd(const mw_nflog *n)
{
	(void)n;
	return -1;
}

mw_status mw_nflog_read(mw_nflog *n, mw_nflog_fn fn, void *ud, uint64_t *bad, mw_err *err)
{
	(void)n;
	(void)fn;
	(void)ud;
	(void)bad;
	return mw_err_set(err, MW_EINVAL, "built without libnetfilter_log");
}

void mw_nflog_close(mw_nflog *n)
{
	free(n);
}
#endif
