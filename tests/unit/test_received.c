/*
 * test_received.c - Received field parser (mail/received.h) and RFC 5322
 * dates (mail/date.h): real-world lines from each MTA family parse into
 * the right HELO / rDNS / IP / by / protocol / id / for / time; odd and
 * broken lines are flagged, never dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/date.h"
#include "mail/received.h"

/* utc - "YYYY-MM-DD HH:MM:SS" as UTC seconds (test helper) */
static int64_t utc(const char *s)
{
	struct tm tm = {0};
	if (sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* check_str - got equals want (NULL meaning absent) */
static void check_str(size_t i, const char *what, const char *got, const char *want)
{
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
		fail_msg("case %zu %s: got '%s' want '%s'", i, what, got ? got : "(null)",
			 want ? want : "(null)");
	}
}

typedef struct rcase {
	const char *in;
	const char *helo, *rdns, *ip, *by, *proto, *id, *for_addr;
	const char *time; /* UTC "YYYY-MM-DD HH:MM:SS" or NULL = no usable date */
	unsigned flags;
} rcase;

#define F_UNKNOWN 1u /* rdns_unknown */
#define F_TLS 2u
#define F_AUTH 4u
#define F_LOCAL 8u
#define F_FORGED 16u

static const rcase cases[] = {
	/* ---- Postfix ---- */
	{"from mail.example.com (mail.example.com [192.0.2.10])\r\n\tby mx.example.net (Postfix) "
	 "with ESMTPS id 4R2xYz1Tq7z9sW\r\n\tfor <bob@example.net>; Mon, 20 Nov 2023 10:15:02 +0100 "
	 "(CET)",
	 "mail.example.com", "mail.example.com", "192.0.2.10", "mx.example.net", "ESMTPS",
	 "4R2xYz1Tq7z9sW", "bob@example.net", "2023-11-20 09:15:02", F_TLS},
	{"from mail.com (unknown [94.130.34.42]) by smtp-27.iol.local (Postfix) with ESMTP id "
	 "A1B2C3; Tue, 21 Nov 2023 03:04:05 +0000",
	 "mail.com", NULL, "94.130.34.42", "smtp-27.iol.local", "ESMTP", "A1B2C3", NULL,
	 "2023-11-21 03:04:05", F_UNKNOWN},
	{"from mail.com ([94.130.34.42]) by smtp-27.iol.local with ESMTP id 1; 21 Nov 2023 03:04:05 "
	 "+0000",
	 "mail.com", NULL, "94.130.34.42", "smtp-27.iol.local", "ESMTP", "1", NULL,
	 "2023-11-21 03:04:05", 0},
	{"from [10.1.2.3] (host-203-0-113-5.example.org [203.0.113.5])\r\n (Authenticated sender: "
	 "alice@example.org)\r\n by smtp.example.org (Postfix) with ESMTPSA id 7F3A21C0;\r\n Wed, "
	 "22 Nov 2023 18:00:00 -0500 (EST)",
	 "[10.1.2.3]", "host-203-0-113-5.example.org", "203.0.113.5", "smtp.example.org", "ESMTPSA",
	 "7F3A21C0", NULL, "2023-11-22 23:00:00", F_TLS | F_AUTH},
	{"from mx.example.org (mx.example.org [IPv6:2001:db8:1::25]) (using TLSv1.3 with cipher "
	 "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 "
	 "bits) server-digest SHA256) (No client certificate requested) by mail.example.net "
	 "(Postfix) with ESMTPS id 4SZ for <x@example.net>; Thu, 23 Nov 2023 07:08:09 +0000 (UTC)",
	 "mx.example.org", "mx.example.org", "2001:db8:1::25", "mail.example.net", "ESMTPS", "4SZ",
	 "x@example.net", "2023-11-23 07:08:09", F_TLS},
	{"from localhost (localhost [127.0.0.1]) by mail.example.net (Postfix) with ESMTP id 99; "
	 "Thu, 23 Nov 2023 07:08:09 +0000",
	 "localhost", "localhost", "127.0.0.1", "mail.example.net", "ESMTP", "99", NULL,
	 "2023-11-23 07:08:09", 0},
	{"by mail.example.net (Postfix, from userid 1000) id 3F2E; Thu, 23 Nov 2023 07:08:09 +0000 "
	 "(UTC)",
	 NULL, NULL, NULL, "mail.example.net", NULL, "3F2E", NULL, "2023-11-23 07:08:09", F_LOCAL},
	{"from unknown (unknown [UNAVAILABLE]) by mx.example.net (Postfix) with SMTP id 5; Thu, 23 "
	 "Nov 2023 07:08:09 +0000",
	 "unknown", NULL, NULL, "mx.example.net", "SMTP", "5", NULL, "2023-11-23 07:08:09",
	 F_UNKNOWN},
	{"from helo.example ([198.51.100.7]) by mx.example.net (Postfix) with ESMTP id 6",
	 "helo.example", NULL, "198.51.100.7", "mx.example.net", "ESMTP", "6", NULL, NULL, 0},
	{"from a.example (b.example [198.51.100.8]) by mx.example.net (Postfix) with UTF8SMTPS id 7;"
	 " Fri, 24 Nov 2023 00:00:00 +0000",
	 "a.example", "b.example", "198.51.100.8", "mx.example.net", "UTF8SMTPS", "7", NULL,
	 "2023-11-24 00:00:00", F_TLS},
	{"from mail.example.org (mail.example.org [192.0.2.1]) by lmtp.example.org (Postfix) with "
	 "LMTP id 8 for <u@example.org>; Fri, 24 Nov 2023 00:00:01 +0000",
	 "mail.example.org", "mail.example.org", "192.0.2.1", "lmtp.example.org", "LMTP", "8",
	 "u@example.org", "2023-11-24 00:00:01", 0},
	/* ---- Sendmail ---- */
	{"from relay.example.com (relay.example.com [192.0.2.20])\r\n\tby mail.example.edu "
	 "(8.15.2/8.15.2) with ESMTP id 3AKAF2fK012345\r\n\tfor <prof@example.edu>; Mon, 20 Nov "
	 "2023 10:15:02 -0800",
	 "relay.example.com", "relay.example.com", "192.0.2.20", "mail.example.edu", "ESMTP",
	 "3AKAF2fK012345", "prof@example.edu", "2023-11-20 18:15:02", 0},
	{"from pc17 (dsl-203-0-113-17.isp.example [203.0.113.17] (may be forged)) by "
	 "mail.example.edu (8.14.4/8.14.4) with ESMTP id x1; Mon, 20 Nov 2023 10:15:02 -0800",
	 "pc17", "dsl-203-0-113-17.isp.example", "203.0.113.17", "mail.example.edu", "ESMTP", "x1",
	 NULL, "2023-11-20 18:15:02", F_FORGED},
	{"(from alice@localhost) by host.example.edu (8.15.2/8.15.2/Submit) id 3AKAF2; Mon, 20 Nov "
	 "2023 10:15:02 -0800",
	 NULL, NULL, NULL, "host.example.edu", NULL, "3AKAF2", NULL, "2023-11-20 18:15:02", F_LOCAL},
	{"from [192.0.2.33] ([192.0.2.33]) by mail.example.edu (8.15.2/8.15.2) with ESMTP id z; "
	 "Mon, 20 Nov 2023 10:15:02 -0800",
	 "[192.0.2.33]", NULL, "192.0.2.33", "mail.example.edu", "ESMTP", "z", NULL,
	 "2023-11-20 18:15:02", 0},
	{"from laptop (cpe-1.example.net [198.51.100.99]) (authenticated bits=0) by "
	 "smtp.example.edu (8.15.2/8.15.2) with ESMTPSA id q (version=TLSv1.3 cipher=TLS_AES_256 "
	 "bits=256 verify=NO); Mon, 20 Nov 2023 10:15:02 -0800",
	 "laptop", "cpe-1.example.net", "198.51.100.99", "smtp.example.edu", "ESMTPSA", "q", NULL,
	 "2023-11-20 18:15:02", F_TLS | F_AUTH},
	/* ---- Exim ---- */
	{"from mail.example.co.uk ([192.0.2.40] helo=smtp.example.co.uk)\r\n\tby mx.example.net "
	 "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n\t(envelope-from "
	 "<a@example.co.uk>)\r\n\tid 1r5AbC-0001Xy-2Q\r\n\tfor b@example.net; Tue, 21 Nov 2023 "
	 "12:00:00 +0000",
	 "smtp.example.co.uk", "mail.example.co.uk", "192.0.2.40", "mx.example.net", "ESMTPS",
	 "1r5AbC-0001Xy-2Q", "b@example.net", "2023-11-21 12:00:00", F_TLS},
	{"from [203.0.113.66] (helo=WIN-3BA7D1)\r\n\tby mx.example.net with esmtp (Exim 4.94.2)\r\n"
	 "\t(envelope-from <x@example.com>)\r\n\tid 1r5AbD-0002; Tue, 21 Nov 2023 12:00:01 +0000",
	 "WIN-3BA7D1", NULL, "203.0.113.66", "mx.example.net", "ESMTP", "1r5AbD-0002", NULL,
	 "2023-11-21 12:00:01", 0},
	{"from mail.example.org ([192.0.2.41]) by mx.example.net with esmtp (Exim 4.92) id 1r5; "
	 "Tue, 21 Nov 2023 12:00:02 +0000",
	 "mail.example.org", "mail.example.org", "192.0.2.41", "mx.example.net", "ESMTP", "1r5",
	 NULL, "2023-11-21 12:00:02", 0},
	{"from host.example.org ([2001:db8::41]:41234 helo=host.example.org) by mx.example.net with "
	 "esmtpsa (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from "
	 "<a@b.example>) id 1r6; Tue, 21 Nov 2023 12:00:03 +0000",
	 "host.example.org", "host.example.org", "2001:db8::41", "mx.example.net", "ESMTPSA", "1r6",
	 NULL, "2023-11-21 12:00:03", F_TLS | F_AUTH},
	{"from [192.0.2.42] (port=51234 helo=[192.168.0.10]) by mx.example.net with esmtpa (Exim "
	 "4.96) id 1r7; Tue, 21 Nov 2023 12:00:04 +0000",
	 "[192.168.0.10]", NULL, "192.0.2.42", "mx.example.net", "ESMTPA", "1r7", NULL,
	 "2023-11-21 12:00:04", F_AUTH},
	{"from Debian-exim by mx.example.net with local (Exim 4.96) id 1r8; Tue, 21 Nov 2023 "
	 "12:00:05 +0000",
	 "Debian-exim", "Debian-exim", NULL, "mx.example.net", "LOCAL", "1r8", NULL,
	 "2023-11-21 12:00:05", F_LOCAL},
	/* ---- qmail ---- */
	{"(qmail 12345 invoked from network); 21 Nov 2023 12:00:06 -0000", NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, "2023-11-21 12:00:06", F_LOCAL},
	{"from unknown (HELO mail.example.com) (94.130.34.42)\r\n  by smtp.example.it with SMTP; "
	 "21 Nov 2023 12:00:07 -0000",
	 "mail.example.com", NULL, "94.130.34.42", "smtp.example.it", "SMTP", NULL, NULL,
	 "2023-11-21 12:00:07", F_UNKNOWN},
	{"from host.example.org (HELO relay.example.org) (192.0.2.50) by mail.example.it with "
	 "ESMTPS; 21 Nov 2023 12:00:08 -0000",
	 "relay.example.org", "host.example.org", "192.0.2.50", "mail.example.it", "ESMTPS", NULL,
	 NULL, "2023-11-21 12:00:08", F_TLS},
	{"from unknown (HELO ?192.168.1.5?) ([198.51.100.50]) (envelope-sender <a@example.it>) by "
	 "smtp.example.it (qmail-ldap-1.03) with SMTP for <b@example.it>; 21 Nov 2023 12:00:09 "
	 "-0000",
	 "?192.168.1.5?", NULL, "198.51.100.50", "smtp.example.it", "SMTP", NULL, "b@example.it",
	 "2023-11-21 12:00:09", F_UNKNOWN},
	{"(qmail 4321 invoked by uid 89); 21 Nov 2023 12:00:10 -0000", NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, "2023-11-21 12:00:10", F_LOCAL},
	/* ---- Microsoft Exchange / Office 365 ---- */
	{"from AM6PR07MB5621.eurprd07.prod.outlook.com (2603:10a6:20b:6c::26) by "
	 "AM6PR07MB4950.eurprd07.prod.outlook.com (2603:10a6:20b:1a::20) with Microsoft SMTP "
	 "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7025.21; "
	 "Wed, 22 Nov 2023 09:10:11 +0000",
	 "AM6PR07MB5621.eurprd07.prod.outlook.com", NULL, "2603:10a6:20b:6c::26",
	 "AM6PR07MB4950.eurprd07.prod.outlook.com", "ESMTPS", "15.20.7025.21", NULL,
	 "2023-11-22 09:10:11", F_TLS},
	{"from EXCH01.corp.example.local (10.0.0.11) by EXCH02.corp.example.local (10.0.0.12) with "
	 "Microsoft SMTP Server id 15.1.2507.6; Wed, 22 Nov 2023 10:10:11 +0100",
	 "EXCH01.corp.example.local", NULL, "10.0.0.11", "EXCH02.corp.example.local", "ESMTP",
	 "15.1.2507.6", NULL, "2023-11-22 09:10:11", 0},
	{"from EUR05-AM6-obe.outbound.protection.outlook.com\r\n "
	 "(mail-am6eur05on2090.outbound.protection.outlook.com [40.107.22.90])\r\n by mx.google.com "
	 "with ESMTPS id a1-20020a170906\r\n for <me@gmail.com>\r\n (version=TLS1_2 cipher=ECDHE-"
	 "ECDSA-AES128-GCM-SHA256 bits=128/128);\r\n Wed, 22 Nov 2023 01:10:11 -0800 (PST)",
	 "EUR05-AM6-obe.outbound.protection.outlook.com",
	 "mail-am6eur05on2090.outbound.protection.outlook.com", "40.107.22.90", "mx.google.com",
	 "ESMTPS", "a1-20020a170906", "me@gmail.com", "2023-11-22 09:10:11", F_TLS},
	{"from DB8PR07MB6332.eurprd07.prod.outlook.com ([fe80::1c2b:3d4e:5f60:7182]) by "
	 "DB8PR07MB6332.eurprd07.prod.outlook.com ([fe80::1c2b:3d4e:5f60:7182%7]) with mapi id "
	 "15.20.7025.021; Wed, 22 Nov 2023 09:10:10 +0000",
	 "DB8PR07MB6332.eurprd07.prod.outlook.com", NULL, "fe80::1c2b:3d4e:5f60:7182",
	 "DB8PR07MB6332.eurprd07.prod.outlook.com", "MAPI", "15.20.7025.021", NULL,
	 "2023-11-22 09:10:10", 0},
	{"from BN8NAM11FT066.eop-nam11.prod.protection.outlook.com (2603:10b6:408:e2:cafe::b2) by "
	 "BN9PR03CA0123.outlook.office365.com (2603:10b6:408:130::8) with Microsoft SMTP Server "
	 "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7025.19 via "
	 "Frontend Transport; Wed, 22 Nov 2023 09:10:09 +0000",
	 "BN8NAM11FT066.eop-nam11.prod.protection.outlook.com", NULL, "2603:10b6:408:e2:cafe::b2",
	 "BN9PR03CA0123.outlook.office365.com", "ESMTPS", "15.20.7025.19", NULL,
	 "2023-11-22 09:10:09", F_TLS},
	/* ---- Gmail ---- */
	{"from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n        by "
	 "mx.google.com with SMTPS id v12sor4567890wrq.45.2023.11.22.08.00.00\r\n        for "
	 "<dest@gmail.com>\r\n        (Google Transport Security);\r\n        Wed, 22 Nov 2023 "
	 "08:00:00 -0800 (PST)",
	 "mail-sor-f41.google.com", "mail-sor-f41.google.com", "209.85.220.41", "mx.google.com",
	 "SMTPS", "v12sor4567890wrq.45.2023.11.22.08.00.00", "dest@gmail.com",
	 "2023-11-22 16:00:00", F_TLS},
	{"by 2002:a05:6a10:a0d1:b0:4f3:1a2b:3c4d with SMTP id abc123;\r\n        Wed, 22 Nov 2023 "
	 "08:00:01 -0800 (PST)",
	 NULL, NULL, NULL, "2002:a05:6a10:a0d1:b0:4f3:1a2b:3c4d", "SMTP", "abc123", NULL,
	 "2023-11-22 16:00:01", F_LOCAL},
	{"from [192.168.1.20] ([203.0.113.200])\r\n        by smtp.gmail.com with ESMTPSA id "
	 "x7-20020a05600c\r\n        for <a@example.com>\r\n        (version=TLS1_3 "
	 "cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n        Wed, 22 Nov 2023 08:00:02 -0800 "
	 "(PST)",
	 "[192.168.1.20]", NULL, "203.0.113.200", "smtp.gmail.com", "ESMTPSA", "x7-20020a05600c",
	 "a@example.com", "2023-11-22 16:00:02", F_TLS | F_AUTH},
	{"from mail-wm1-f54.google.com (mail-wm1-f54.google.com [IPv6:2a00:1450:4864:20::32e]) by "
	 "mx.example.net (Postfix) with ESMTPS id 4S for <z@example.net>; Wed, 22 Nov 2023 17:00:03 "
	 "+0100 (CET)",
	 "mail-wm1-f54.google.com", "mail-wm1-f54.google.com", "2a00:1450:4864:20::32e",
	 "mx.example.net", "ESMTPS", "4S", "z@example.net", "2023-11-22 16:00:03", F_TLS},
	/* ---- Amazon SES ---- */
	{"from a8-30.smtp-out.amazonses.com (a8-30.smtp-out.amazonses.com [54.240.8.30]) by "
	 "mx.example.net (Postfix) with ESMTPS id 4SB for <c@example.net>; Thu, 23 Nov 2023 "
	 "11:00:00 +0000 (UTC)",
	 "a8-30.smtp-out.amazonses.com", "a8-30.smtp-out.amazonses.com", "54.240.8.30",
	 "mx.example.net", "ESMTPS", "4SB", "c@example.net", "2023-11-23 11:00:00", F_TLS},
	{"from e226-55.smtp-out.eu-west-1.amazonses.com (e226-55.smtp-out.eu-west-1.amazonses.com. "
	 "[23.251.226.55]) by mx.google.com with ESMTPS id s4si123 for <d@gmail.com> "
	 "(version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Thu, 23 Nov 2023 03:00:01 "
	 "-0800 (PST)",
	 "e226-55.smtp-out.eu-west-1.amazonses.com", "e226-55.smtp-out.eu-west-1.amazonses.com",
	 "23.251.226.55", "mx.google.com", "ESMTPS", "s4si123", "d@gmail.com",
	 "2023-11-23 11:00:01", F_TLS},
	/* ---- Yahoo ---- */
	{"from sonic303-2.consmr.mail.ir2.yahoo.com (sonic303-2.consmr.mail.ir2.yahoo.com "
	 "[77.238.178.83]) by mx.example.net (Postfix) with ESMTPS id 4SC; Thu, 23 Nov 2023 "
	 "12:00:00 +0000",
	 "sonic303-2.consmr.mail.ir2.yahoo.com", "sonic303-2.consmr.mail.ir2.yahoo.com",
	 "77.238.178.83", "mx.example.net", "ESMTPS", "4SC", NULL, "2023-11-23 12:00:00", F_TLS},
	{"from 98.137.64.83 by sonic303-2.consmr.mail.ir2.yahoo.com with HTTP; Thu, 23 Nov 2023 "
	 "11:59:59 +0000",
	 "98.137.64.83", NULL, "98.137.64.83", "sonic303-2.consmr.mail.ir2.yahoo.com", "HTTP", NULL,
	 NULL, "2023-11-23 11:59:59", 0},
	{"from [198.51.100.77] by smtp415.mail.ne1.yahoo.com (Yahoo Inc. Hermes SMTP Server) with "
	 "ESMTPA ID 0a1b2c3d4e for <e@example.com>; Thu, 23 Nov 2023 11:59:58 +0000 (UTC)",
	 "[198.51.100.77]", NULL, "198.51.100.77", "smtp415.mail.ne1.yahoo.com", "ESMTPA",
	 "0a1b2c3d4e", "e@example.com", "2023-11-23 11:59:58", F_AUTH},
	/* ---- odd and legacy ---- */
	{"from x (x [192.0.2.60]) by y with ESMTP id 1; Thu, 23 Nov 23 12:00:00 GMT", "x", "x",
	 "192.0.2.60", "y", "ESMTP", "1", NULL, "2023-11-23 12:00:00", 0},
	{"from x (x [192.0.2.61]) by y with ESMTP id 2; 23 Nov 2023 12:00 EST", "x", "x",
	 "192.0.2.61", "y", "ESMTP", "2", NULL, "2023-11-23 17:00:00", 0},
	{"from x (x [192.0.2.62]) by y with ESMTP id 3; Thursday, 32 Nov 2023 12:00:00 +0000", "x",
	 "x", "192.0.2.62", "y", "ESMTP", "3", NULL, NULL, 0},
	{"FROM X.EXAMPLE (X.EXAMPLE [192.0.2.63]) BY Y.EXAMPLE WITH esmtp ID 4; Thu, 23 Nov 2023 "
	 "12:00:00 +0000",
	 "X.EXAMPLE", "X.EXAMPLE", "192.0.2.63", "Y.EXAMPLE", "ESMTP", "4", NULL,
	 "2023-11-23 12:00:00", 0},
	{"from x (x [::ffff:192.0.2.64]) by y with ESMTP; Thu, 23 Nov 2023 12:00:00 +0000", "x", "x",
	 "192.0.2.64", "y", "ESMTP", NULL, NULL, "2023-11-23 12:00:00", 0},
	{"from x (x [not-an-ip]) by y with ESMTP; Thu, 23 Nov 2023 12:00:00 +0000", "x", "x", NULL,
	 "y", "ESMTP", NULL, NULL, "2023-11-23 12:00:00", 0},
	{"from x (x [192.0.2.65]) by y; Thu, 23 Nov 2023 12:00:00 +0000", "x", "x", "192.0.2.65",
	 "y", NULL, NULL, NULL, "2023-11-23 12:00:00", 0},
	{"from x by y", "x", NULL, NULL, "y", NULL, NULL, NULL, NULL, 0},
};

static void test_received_table(void **state)
{
	(void)state;
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 40);
	mw_pool *pool = mw_pool_new(1 << 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const rcase *c = &cases[i];
		mw_received r;
		assert_int_equal(mw_received_parse(c->in, strlen(c->in), pool, &r), MW_OK);
		if (!r.parsed)
			fail_msg("case %zu: not parsed (%s)", i, r.problem ? r.problem : "");
		check_str(i, "helo", r.helo, c->helo);
		check_str(i, "rdns", r.rdns, c->rdns);
		check_str(i, "ip", r.has_ip ? r.ip_text : NULL, c->ip);
		check_str(i, "by", r.by, c->by);
		check_str(i, "protocol", r.protocol, c->proto);
		check_str(i, "id", r.id, c->id);
		check_str(i, "for", r.for_addr, c->for_addr);
		if (c->time) {
			if (!r.has_time || r.time != utc(c->time))
				fail_msg("case %zu time: got %lld (has %d) want %s", i, (long long)r.time,
					 r.has_time, c->time);
		} else if (r.has_time) {
			fail_msg("case %zu: time %lld, want none", i, (long long)r.time);
		}
		unsigned got = (r.rdns_unknown ? F_UNKNOWN : 0) | (r.tls ? F_TLS : 0) |
			       (r.authenticated ? F_AUTH : 0) | (r.local ? F_LOCAL : 0) |
			       (r.may_be_forged ? F_FORGED : 0);
		if (got != c->flags)
			fail_msg("case %zu flags: got %u want %u", i, got, c->flags);
	}
	mw_pool_free(pool);
}

/* Unparseable lines are kept raw and flagged. */
static void test_received_bad(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *problem;
	} bad[] = {
		{"", "no from or by clause"},
		{"garbage without clauses; Thu, 23 Nov 2023 12:00:00 +0000", "no from or by clause"},
		{"; Thu, 23 Nov 2023 12:00:00 +0000", "no from or by clause"},
		{"\x01\x02\xff\xfe", "no from or by clause"},
		{"(unclosed comment from x by y", "no from or by clause"},
		{"[from x by y]", "no from or by clause"},
		{"\"from x by y\"", "no from or by clause"},
		{"with ESMTP id 5; Thu, 23 Nov 2023 12:00:00 +0000", "no from or by clause"},
		{"fromx byy", "no from or by clause"},
		{"id 1 for <a@b>", "no from or by clause"},
	};
	mw_pool *pool = mw_pool_new(1 << 20);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mw_received r;
		assert_int_equal(mw_received_parse(bad[i].in, strlen(bad[i].in), pool, &r), MW_OK);
		if (r.parsed)
			fail_msg("bad case %zu parsed", i);
		check_str(i, "problem", r.problem, bad[i].problem);
		assert_non_null(r.raw);
		assert_int_equal(strlen(r.raw), strlen(bad[i].in));
	}
	/* over the size limit: kept (cut) and flagged */
	size_t n = MW_RCVD_VALUE_MAX + 10;
	char *big = malloc(n);
	memset(big, 'a', n);
	memcpy(big, "from x by y ", 12);
	mw_received r;
	assert_int_equal(mw_received_parse(big, n, pool, &r), MW_OK);
	assert_false(r.parsed);
	check_str(0, "problem", r.problem, "too long");
	free(big);
	/* a fold is unfolded into spaces */
	const char *folded = "from a\r\n\tby b\r\n with SMTP;\r\n Thu, 23 Nov 2023 12:00:00 +0000";
	assert_int_equal(mw_received_parse(folded, strlen(folded), pool, &r), MW_OK);
	assert_null(strchr(r.raw, '\r'));
	assert_string_equal(r.by, "b");
	/* missing date: parsed, noted */
	const char *nodate = "from a (a [192.0.2.1]) by b with SMTP id 1";
	assert_int_equal(mw_received_parse(nodate, strlen(nodate), pool, &r), MW_OK);
	assert_true(r.parsed);
	assert_false(r.has_time);
	check_str(0, "problem", r.problem, "no date");
	mw_pool_free(pool);
}

/* RFC 5322 dates: good forms and as many bad ones. */
static void test_date(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *want; /* NULL = reject */
		int tz;
	} dcases[] = {
		{"Mon, 20 Nov 2023 10:15:02 +0100", "2023-11-20 09:15:02", 60},
		{"20 Nov 2023 10:15:02 -0000", "2023-11-20 10:15:02", 0},
		{"Mon, 20 Nov 2023 10:15 +0000", "2023-11-20 10:15:00", 0},
		{"Mon,20 Nov 2023 10:15:02 +0530 (IST)", "2023-11-20 04:45:02", 330},
		{"Mon, 20 Nov 99 10:15:02 GMT", "1999-11-20 10:15:02", 0},
		{"Mon, 20 Nov 123 10:15:02 GMT", "2023-11-20 10:15:02", 0},
		{"Mon, 20 Nov 2023 10:15:02 PDT", "2023-11-20 17:15:02", -420},
		{"Mon, 20 Nov 2023 10:15:02", "2023-11-20 10:15:02", 0},
		{"Thu, 29 Feb 2024 23:59:60 +0000", "2024-03-01 00:00:00", 0},
		{"  20   Nov   2023   10:15:02   +0000  ", "2023-11-20 10:15:02", 0},
		{"", NULL, 0},
		{"Mon, 20 Foo 2023 10:15:02 +0000", NULL, 0},
		{"Mon, 32 Nov 2023 10:15:02 +0000", NULL, 0},
		{"Mon, 31 Nov 2023 10:15:02 +0000", NULL, 0},
		{"Mon, 20 Nov 2023 24:15:02 +0000", NULL, 0},
		{"Mon, 20 Nov 2023 10:61:02 +0000", NULL, 0},
		{"Mon, 20 Nov 2023 10:15:02 +01", NULL, 0},
		{"Mon, 20 Nov 2023 10:15:02 +0199", NULL, 0},
		{"Mon, 20 Nov 1969 10:15:02 +0000", NULL, 0},
		{"Mon, 20 Nov 2023 10:15:02 +0000 trailing", NULL, 0},
		{"Mon, Nov 20 2023 10:15:02 +0000", NULL, 0},
	};
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		mw_date d;
		bool ok = mw_date_parse(dcases[i].in, strlen(dcases[i].in), &d);
		if (!dcases[i].want) {
			if (ok)
				fail_msg("date %zu accepted: %s", i, dcases[i].in);
			continue;
		}
		if (!ok || d.t != utc(dcases[i].want) || d.tz_minutes != dcases[i].tz)
			fail_msg("date %zu: ok %d got %lld tz %d want %s", i, ok, (long long)d.t,
				 d.tz_minutes, dcases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_received_table),
		cmocka_unit_test(test_received_bad),
		cmocka_unit_test(test_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
