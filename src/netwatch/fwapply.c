/*
 * netwatch/fwapply.c - load or remove the nft rules through libnftables.
 *
 * SECURITY
 *   Changing the ruleset needs CAP_NET_ADMIN.  Only the dedicated table
 *   inet mailwarden is created, replaced or deleted; the text comes from
 *   mw_fw_render, whose inputs are validated (user names, ports).
 */
#include <stdio.h>
#include <string.h>

#include "netwatch/firewall.h"

#ifdef MW_HAVE_NFTABLES
#include <nftables/libnftables.h>

bool mw_fw_nft_available(void)
{
	return true;
}

mw_status mw_fw_nft_run(const char *cmds, mw_err *err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (ctx == NULL)
		return mw_err_set(err, MW_ENOMEM, "nft_ctx_new failed");
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	int rc = nft_run_cmd_from_buffer(ctx, cmds);
	mw_status st = MW_OK;
	if (rc != 0) {
		const char *e = nft_ctx_get_error_buffer(ctx);
		/* the first line says what failed; the rest repeats the input */
		size_t n = e ? strcspn(e, "\n") : 0;
		st = mw_err_set(err, MW_EIO, "nft: %.*s", (int)(n > 200 ? 200 : n),
				n ? e : "command failed (root needed?)");
	}
	nft_ctx_free(ctx);
	return st;
}

#else

bool mw_fw_nft_available(void)
{
	return false;
}

mw_status mw_fw_nft_run(const char *cmds, mw_err *err)
{
	(void)cmds;
	return mw_err_set(err, MW_EINVAL,
			  "built without libnftables (install libnftables-dev and rebuild), "
			  "or load the printed rules with nft -f");
}
#endif

mw_status mw_fw_apply(const mw_fw_opts *o, mw_err *err)
{
	mw_fw_opts nft = *o;
	nft.format = MW_FW_NFT;
	mw_buf b;
	mw_buf_init(&b, 1u << 20);
	mw_status st = mw_fw_render(&nft, &b, err);
	if (st == MW_OK)
		st = mw_fw_nft_run(mw_buf_cstr(&b), err);
	mw_buf_free(&b);
	return st;
}

mw_status mw_fw_remove(mw_err *err)
{
	/* "table" first makes delete succeed when the table is absent */
	return mw_fw_nft_run("table inet " MW_FW_TABLE "\ndelete table inet " MW_FW_TABLE "\n", err);
}

mw_status mw_fw_watch_install(const mw_nw_ports *ports, uint16_t group, mw_err *err)
{
	mw_buf b;
	mw_buf_init(&b, 1u << 16);
	mw_status st = mw_fw_render_watch(ports, group, &b, err);
	if (st == MW_OK)
		st = mw_fw_nft_run(mw_buf_cstr(&b), err);
	mw_buf_free(&b);
	return st;
}

mw_status mw_fw_watch_remove(mw_err *err)
{
	return mw_fw_nft_run("table inet " MW_FW_WATCH_TABLE "\ndelete table inet " MW_FW_WATCH_TABLE "\n",
			     err);
}
