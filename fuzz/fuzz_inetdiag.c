/*
 * fuzz_inetdiag.c - libFuzzer target for the netwatch parsers that read
 * bytes from outside: sock_diag answers (mw_inetdiag_parse), packets from
 * NFLOG (mw_nw_parse_packet) and /proc text (status, stat, cgroup, fd link,
 * cmdline).  The first byte picks the parser; the rest is its input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "netwatch/inetdiag.h"
#include "netwatch/packet.h"
#include "netwatch/proc.h"

static bool count(const mw_nw_sock *s, void *ud)
{
	size_t *n = ud;
	(*n) += s->rport; /* touch the record */
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	const char *t = (const char *)p;
	switch (sel % 4) {
	case 0: {
		mw_nw_ports ports;
		mw_nw_ports_default(&ports);
		size_t got = 0;
		bool done;
		mw_err err;
		mw_inetdiag_parse(p, n, (sel & 4) ? NULL : &ports, count, &got, &done, &err);
		break;
	}
	case 1: {
		mw_nw_pkt pkt;
		mw_nw_parse_packet(p, n, &pkt, NULL);
		break;
	}
	case 2: {
		uint32_t u;
		uint64_t ticks;
		char unit[128], cont[72];
		mw_proc_status_uid(t, n, &u);
		mw_proc_stat_start(t, n, &ticks);
		mw_proc_cgroup(t, n, unit, sizeof(unit), cont, sizeof(cont));
		mw_proc_socket_inode(t, n, &u);
		break;
	}
	default: {
		char out[256];
		mw_proc_cmdline(t, n, out, sizeof(out));
		break;
	}
	}
	return 0;
}
