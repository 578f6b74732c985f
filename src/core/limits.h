/*
 * core/limits.h - every size and count limit of the project, in one place.
 *
 * Each constant carries its source: an RFC section, or the reason we chose
 * it.  Engines enforce these; nothing else hard-codes a limit.
 */
#ifndef MW_CORE_LIMITS_H
#define MW_CORE_LIMITS_H

/* ---- DNS (RFC 1035) ---- */
#define MW_DNS_NAME_MAX 253      /* RFC 1035 §2.3.4: 255 octets wire = 253 text */
#define MW_DNS_LABEL_MAX 63      /* RFC 1035 §2.3.4 */
#define MW_DNS_TXT_MAX 65535     /* RFC 1035 §3.3.14 record data, joined strings */
#define MW_DNS_ANSWERS_MAX 256   /* answers kept per RRset: abuse limit */
#define MW_DNS_CNAME_MAX 8       /* CNAME chain length followed: loop guard */
#define MW_DNS_TIMEOUT_MS 5000   /* per query attempt; RFC 7208 §4.6.4 suggests 20 s total */
#define MW_DNS_NEGTTL_DEFAULT 300 /* negative answer without SOA: 5 min (RFC 2308 §5 wants the SOA) */
#define MW_DNS_NEGTTL_MAX 10800  /* RFC 2308 §5: 1-3 hours work well; BIND's max-ncache-ttl is 3 h */
#define MW_DNS_TRIES 2           /* attempts per query before TEMPERROR */
#define MW_DNS_CACHE_MAX 100000  /* cached RRsets per process: memory bound */
#define MW_DNS_ROUNDS_MAX 64     /* replay rounds per evaluation: > any RFC lookup limit */
#define MW_DNS_NEEDS_MAX 16      /* names requested per replay round (MX/PTR fan-out) */

/* ---- zone files (offline backend) ---- */
#define MW_ZONE_LINE_MAX 65536   /* one logical (unparenthesised) record */
#define MW_ZONE_FILE_MAX (64u << 20) /* 64 MiB zone file */
#define MW_ZONE_TOKENS_MAX 1024  /* tokens in one record: a 64 KiB TXT needs 257 strings of 255 */

/* ---- SPF (RFC 7208) ---- */
#define MW_SPF_DNS_TERMS_MAX 10  /* §4.6.4: mechanisms/modifiers causing DNS lookups */
#define MW_SPF_VOID_MAX 2        /* §4.6.4: void lookups (NXDOMAIN or no answers) */
#define MW_SPF_MX_MAX 10         /* §4.6.4: MX names looked up per mx term */
#define MW_SPF_PTR_MAX 10        /* §4.6.4: PTR names checked per ptr term / %{p} */
#define MW_SPF_RECORD_MAX 4096   /* no real SPF record comes close; abuse limit */
#define MW_SPF_MACRO_MAX 253     /* §7.3: expanded domain-spec is a domain name */
#define MW_SPF_EXP_MAX 1024      /* explanation string after expansion: abuse limit */
#define MW_SPF_TRACE_MAX 512     /* trace lines kept per evaluation */
#define MW_SPF_POOL_MAX (4u << 20) /* memory budget per evaluation */
#define MW_SPF_DEPTH_MAX 20      /* include/redirect nesting; the term limit bounds it first */
#define MW_SPF_PARSED_MAX 20000  /* parsed records cached per process: memory bound (~40 MB worst) */
#define MW_SPF_SENDER_MAX 1024   /* MAIL FROM length: RFC 5321 §4.5.3.1.3 path is 256; margin */

/* ---- messages (RFC 5322) ---- */
#define MW_MSG_MAX (64u << 20)        /* whole message: far above any MTA's size limit */
#define MW_MSG_HEADER_MAX (1u << 20)  /* header section: real ones are < 64 KiB; 10 MB headers are abuse */
#define MW_MSG_FIELDS_MAX 1000        /* header fields: abuse limit (long Received chains stay < 200) */
#define MW_MSG_LINE_MAX 65536         /* one physical header line: RFC 5322 §2.1.1 says 998, real
				       * mail exceeds it, so verifiers accept up to 64 KiB */
#define MW_MSG_FROM_ADDRS_MAX 64      /* mailboxes read from From fields: abuse limit */

/* ---- tag=value lists (RFC 6376 §3.2; DKIM, DMARC, ARC) ---- */
#define MW_TAGLIST_INPUT_MAX (64u << 10) /* a DKIM-Signature with an 8 KiB key is < 4 KiB */
#define MW_TAGLIST_TAGS_MAX 64        /* DKIM defines 14 tags, DMARC 12: abuse limit */
#define MW_TAGLIST_NAME_MAX 64        /* tag-name length: abuse limit */

/* ---- DKIM (RFC 6376, RFC 8301, RFC 8463) ---- */
#define MW_DKIM_SIGS_MAX 10           /* signatures verified per message: §6.1 lets verifiers cap;
				       * a normal message has 1-3 */
#define MW_DKIM_HFIELDS_MAX 256       /* names in one h= list: abuse limit (real ones < 60) */
#define MW_DKIM_HNAME_MAX 128         /* one header field name in h=: abuse limit */
#define MW_DKIM_RSA_MIN_BITS 1024     /* RFC 8301 §3.2: smaller keys are not valid */
#define MW_DKIM_RSA_MAX_BITS 8192     /* verifier cost bound; RFC 8301 §3.2 asks for up to 4096 */
#define MW_DKIM_SIG_MAX 2048          /* decoded b= bytes: 8192-bit RSA is 1024 */
#define MW_DKIM_DOMAIN_MAX MW_DNS_NAME_MAX
#define MW_DKIM_SELECTOR_MAX 63       /* one or more labels; DNS name limit applies overall */
#define MW_DKIM_POOL_MAX (4u << 20)   /* memory budget per verification */
#define MW_DKIM_KEYCACHE_MAX 10000    /* parsed keys kept by a key cache: ~1 KiB each */
#define MW_DKIM_BODYHASH_MAX 16       /* distinct (hash, c=, l=) hashed as a body streams: the
				       * MW_DKIM_SIGS_MAX signatures verified, ARC's simple and
				       * relaxed AMS, our own signing and sealing fit (10+2+2) */

/* ---- Authentication-Results (RFC 8601) ---- */
#define MW_AR_HEADER_MAX 32768   /* field value bytes: abuse limit (real ones stay < 4 KiB) */
#define MW_AR_RESULTS_MAX 64     /* resinfo per field: abuse limit */
#define MW_AR_PROPS_MAX 16       /* properties per resinfo: abuse limit (RFC 8601 registers < 10) */
#define MW_AR_TOKEN_MAX 1024     /* one token/value/comment: abuse limit */
#define MW_AR_COMMENT_DEPTH 8    /* nested comments (RFC 5322 §3.2.2 allows any): recursion guard */
#define MW_AR_LINE_MAX 78        /* fold written fields here: RFC 5322 §2.1.1 SHOULD */
#define MW_AR_POOL_MAX (1u << 20) /* memory budget for one parsed field */

/* ---- bounces / DSNs (RFC 3464, RFC 6533) ---- */
#define MW_BOUNCE_MAX (50u << 20)  /* 50 MiB per bounce: above any real NDR (original mail is
                                      usually truncated); abuse limit from the bounce issue */
#define MW_BOUNCE_DEPTH_MAX 8      /* MIME / message/rfc822 nesting walked: real NDRs use 3 */
#define MW_BOUNCE_RCPTS_MAX 1000   /* recipients kept per bounce: Postfix default
                                      smtpd_recipient_limit is 1000 */
#define MW_BOUNCE_TEXT_MAX (1u << 20) /* bytes of human-readable text scanned per bounce */
#define MW_BOUNCE_FIELD_MAX 4096   /* one DSN field value (Diagnostic-Code is the longest) */
#define MW_BOUNCE_HEADERS_MAX (256u << 10) /* returned original headers kept (RFC 3462 part 3) */
#define MW_BOUNCE_POOL_MAX (16u << 20) /* memory budget of one parsed bounce */
#define MW_MBOX_MESSAGES_MAX 1000000 /* messages split from one mbox: abuse limit */
#define MW_MBOX_MAX (1u << 30)       /* one mbox file read by the CLI: 1 GiB */
#define MW_WALK_DIR_MAX 1000000      /* names read from one folder or maildir subdirectory:
					a 1M-message maildir is large; beyond that, abuse */

/* ---- Postfix policy delegation protocol (SMTPD_POLICY_README) ---- */
#define MW_POLICY_LINE_MAX 4096   /* one name=value line: Postfix's line_length_limit is 2048 */
#define MW_POLICY_ATTRS_MAX 128   /* attributes per request: Postfix 3.7 sends about 35 */
#define MW_POLICY_REQ_MAX 32768   /* bytes per request: 128 typical lines of < 256 bytes */
#define MW_POLICY_TEXT_MAX 256    /* text after an action: SMTP reply line stays < 512 (RFC 5321 §4.5.3.1.5) */

/* ---- rate limits (outbound guard) ---- */
#define MW_RL_SLOTS 16            /* sub-buckets per sliding window (15 full + current): error <= window/15 */
#define MW_RL_KEY_MAX 512         /* bytes in a counter key: rule name + up to 3 address-sized fields */
#define MW_RL_RULES_MAX 64        /* rules per configuration: each costs one counter update per request */
#define MW_RL_THRESHOLDS_MAX 4    /* alert, defer, hold, reject */
#define MW_RL_OVERRIDES_MAX 10000 /* per-key overrides per rule: config-file size guard */
#define MW_RL_WINDOW_MAX (400LL * 86400 * 1000) /* 400 days in ms: longer than any sensible window */
#define MW_STORE_KEYS_MAX 4000000 /* memory store: counters kept before idle eviction (~160 bytes each) */

/* ---- events ---- */
#define MW_EVENT_SAMPLE_MAX 10    /* recipients kept as evidence in one event */
#define MW_EVENT_FIELD_MAX 512    /* bytes per event text field (address, key, reason) */
#define MW_EVENT_LIST_MAX 100000  /* events returned by one query */

/* ---- HTTP API of the daemon (src/api, daemon/http.c; /work/notes api contract) ---- */
#define MW_API_BODY_MAX (64u << 10)  /* request body: a release/block body is < 1 KiB; 64 KiB is the contract */
#define MW_API_LIMIT_DEFAULT 100     /* items per page when limit= is absent */
#define MW_API_LIMIT_MAX 1000        /* items per page: 1000 events are ~1 MB of JSON */
#define MW_API_OFFSET_MAX 100000000  /* offset: beyond any event history (retention-bounded) */
#define MW_API_SECRET_MAX 512        /* bytes of a token or password (file or config) */
#define MW_API_HEADER_MAX 4096       /* Authorization / Origin / Host header values looked at */
#define MW_RLT_KEYS_MAX 20000        /* (rule, key) pairs the daemon tracks for /api/senders (~300 B each) */
#define MW_RLT_BLOCKS_MAX 10000      /* manual blocks (POST /api/block) at once */
#define MW_RATEHIST_MINUTES 1440     /* per-minute history kept: 24 h */
#define MW_RATEHIST_KEYS_DEFAULT 200 /* keys whose minutes are persisted each minute (top by count) */
#define MW_RATEHIST_PENDING_MAX 50000 /* distinct keys counted within one minute before new ones are dropped */

/* ---- mail logs (logwatch/) ---- */
#define MW_LOG_LINE_MAX (1u << 20)   /* 1 MiB: longer lines are skipped and counted; syslogd
					 * default is 8 KiB, rsyslog $MaxMessageSize allows more */
#define MW_LOG_READ_CHUNK (1u << 20) /* bytes per read()/inflate() round of the file reader */
#define MW_LOG_QID_MAX 32            /* Postfix long queue IDs are 15+ chars, Sendmail 14-15 */
#define MW_LOG_FIELD_MAX 4096        /* longest copied field (addresses, replies) kept per record */
#define MW_LOG_EVIDENCE_MAX 5        /* evidence lines kept per finding */
#define MW_LOG_EVIDENCE_LEN 1024     /* bytes kept of one evidence line */
#define MW_LOG_MSGS_MAX 2000000      /* open per-message records (queue IDs) before the oldest are
					 * closed: memory bound (~300 B each) */
#define MW_LOG_KEYS_MAX 1000000      /* distinct keys (IPs, users, domains) tracked per table */
#define MW_LOG_RCPTS_MAX 1000        /* recipients remembered per message record */
#define MW_LOG_FOLLOW_FILES_MAX 64   /* files one follower watches */
#define MW_LOG_ROTATED_GRACE_MS 30000 /* a renamed log is still read this long: rsyslog and
					 syslog-ng write to it until logrotate's postrotate
					 HUP, usually within a second */
#define MW_LOG_YEAR_SLACK (2 * 86400) /* a year-less stamp up to 2 days past the reference is
					  * taken as this year (clock skew, late rotation) */

/* ---- DMARC (RFC 9989) ---- */
#define MW_DMARC_RECORD_MAX 8192      /* one policy record: real ones are < 512 bytes; abuse limit */
#define MW_DMARC_URIS_MAX 8           /* rua/ruf URIs kept per tag: abuse limit (senders use 1-2) */
#define MW_DMARC_WALK_QUERIES_MAX 8   /* RFC 9989 §4.10: a DNS Tree Walk makes at most 8 queries */
#define MW_DMARC_WALK_LABELS 7        /* §4.10: names of 8+ labels jump to their last 7 labels */
#define MW_DMARC_FROM_DOMAINS_MAX 8   /* distinct Author Domains evaluated per message: abuse limit */
#define MW_DMARC_DKIM_MAX 16          /* DKIM results considered for alignment: abuse limit */
#define MW_DMARC_REPORT_CHECKS_MAX 4  /* external report destinations verified per record */
#define MW_DMARC_POOL_MAX (1u << 20)  /* memory budget for one evaluation (all replays) */

/* ---- netwatch (outbound SMTP sockets, Linux sock_diag / NFLOG) ---- */
#define MW_NW_PORTS_MAX 32        /* remote ports watched; the bytecode filter grows 12 B/port */
#define MW_NW_RECV_BUF 32768      /* netlink receive buffer; a dump datagram is <= 32 KiB */
#define MW_NW_SOCKETS_MAX 1000000 /* sockets kept per sample: memory bound, far above real hosts */
#define MW_NW_CMDLINE_MAX 4096    /* bytes of /proc/PID/cmdline kept (kernel shows one page) */
#define MW_NW_PATH_MAX 4096       /* exe / cwd link targets (PATH_MAX) */
#define MW_NW_PROCFILE_MAX 65536  /* /proc/PID/{status,cgroup,stat} read at most */
#define MW_NW_USER_MAX 64         /* user names kept (useradd allows 32) */
#define MW_NW_MTA_NAMES_MAX 32    /* configured MTA users + binaries, each */
#define MW_NW_INTERVAL_MIN_MS 10  /* watch interval floor: one dump per interval */
#define MW_NW_INTERVAL_DEF_MS 1000 /* default watch interval */
#define MW_NW_IP6_EXT_MAX 8       /* IPv6 extension headers walked before TCP */
#define MW_NW_NFLOG_GROUP_DEF 25  /* NFLOG group used by generated rules and watch mode */
#define MW_NW_NFLOG_COPY 128      /* packet bytes copied to user space: IPv6+ext+TCP header */
#define MW_NW_LOG_GAP_MS 20       /* min gap between log-triggered samples: <= 50 dumps/s in a SYN flood */
#define MW_NW_PENDING_MAX 4096    /* logged SYNs waiting for the next sample; full = sample now */

/* ---- milter (streamed messages) ---- */
#define MW_MILTER_AR_MAX 64           /* forged A-R fields removed per message: abuse limit (real
				       * messages carry 1-5 A-R fields) */
#define MW_MILTER_SCAN_DEF (4u << 20) /* body bytes kept for the content scan: the text parts and
				       * links phishing rules look at come first; attachments
				       * beyond this are hashed, not scanned */

/* ---- ARC (RFC 8617) ---- */
#define MW_ARC_INSTANCES_MAX 50       /* §4.2.1: instance values are 1..50 */
#define MW_ARC_FIELDS_MAX 160         /* ARC fields read: 3 per set plus slack for duplicates */
#define MW_ARC_POOL_MAX (4u << 20)    /* memory budget per validation */

/* ---- Received fields (RFC 5321 §4.4) and analyze ---- */
#define MW_RCVD_VALUE_MAX 8192        /* one Received value: real ones < 1 KiB (Postfix TLS lines ~400) */
#define MW_RCVD_TOKEN_MAX 255         /* a host name / id / address kept: RFC 5321 §4.5.3.1 sizes */
#define MW_RCVD_COMMENTS_MAX 16       /* comments read per clause: abuse limit */
#define MW_AN_HOPS_MAX 5000           /* Received fields analysed: MW_MSG_FIELDS_MAX bounds it first */
#define MW_AN_TRUSTED_MAX 64          /* --trusted entries */
#define MW_AN_FINDINGS_MAX 64         /* findings per message: each code at most once or a few times */
#define MW_AN_SKEW_MAX 86400          /* Date vs first Received: one day tolerated (clocks, queues) */
#define MW_AN_BACKWARDS_MAX 300       /* Received times may step back 5 min (unsynced clocks) */
#define MW_AN_POOL_MAX (8u << 20)     /* memory budget per analysis */


/* audit (posture checks) */
#define MW_AUDIT_FINDINGS_MAX 512     /* findings per audit: a 100-include record gives < 200 */
#define MW_AUDIT_POOL_MAX (8u << 20)  /* text of one audit's findings and trees */
#define MW_AUDIT_SPF_NODES_MAX 256    /* records walked in one SPF tree: abuse limit (real < 40) */
#define MW_AUDIT_SPF_NETS_MAX 2048    /* ip4/ip6 ranges collected for flattening (Google ~ 20) */
#define MW_AUDIT_SPF_FLAT_CHUNK 450   /* flattened record bytes per published record: one
				       * < 512-byte UDP answer with headers (RFC 1035 §4.2.1) */
#define MW_AUDIT_UDP_MAX 512          /* RFC 1035 §4.2.1: classic UDP answer size */
#define MW_AUDIT_TXT_STRING_MAX 255   /* RFC 1035 §3.3.14: one character-string */
#define MW_AUDIT_SELECTORS_MAX 32     /* DKIM selectors tried (given + common) */
#define MW_AUDIT_IPS_MAX 32           /* sending IPs checked (--ip + MX addresses) */
#define MW_AUDIT_MX_MAX 16            /* MX hosts checked */
#define MW_DNSBL_ZONES_MAX 64         /* blocklists in one data file */
#define MW_DNSBL_CODES_MAX 32         /* return-code rules per blocklist */
#define MW_DNSBL_FILE_MAX (256u << 10) /* data file size */
#define MW_DNSBL_LINE_MAX 1024        /* one data-file line */
#define MW_DNSBL_TIME_MS 8000         /* total time for all DNSBL queries (parallel) */
#define MW_SMTP_REPLY_MAX 65536       /* one multi-line SMTP reply: EHLO lists stay < 1 KiB */
#define MW_SMTP_LINE_MAX 2048         /* one reply line: RFC 5321 §4.5.3.1.5 says 512 */
#define MW_SMTP_LINES_MAX 100         /* lines in one reply */
#define MW_SMTP_STEP_MS 10000         /* per probe step (connect, each command) */
#define MW_SMTP_TOTAL_MS 60000        /* whole probe */

/* ---- DMARC aggregate reports (RFC 9990, RFC 7489 appendix C) ---- */
#define MW_DR_INPUT_MAX (32u << 20)   /* one report file or report e-mail read: real ones < 5 MiB */
#define MW_DR_XML_MAX (64u << 20)     /* uncompressed XML: Google's largest daily reports ~10 MiB */
#define MW_DR_RATIO_MAX 200           /* uncompressed/compressed past 1 MiB: report XML packs 10-50x, bombs 1000x+ */
#define MW_DR_RATIO_FLOOR (1u << 20)  /* output below this is never a bomb, whatever the ratio */
#define MW_DR_ZIP_ENTRIES_MAX 16      /* files in a report zip: senders put exactly one XML file */
#define MW_DR_RECORDS_MAX 200000      /* <record> elements per report: memory bound */
#define MW_DR_AUTH_MAX 64             /* dkim/spf results per record: abuse limit */
#define MW_DR_FIELD_MAX 4096          /* one element's text kept: values are names, numbers, short words */
#define MW_DR_POOL_MAX (256u << 20)   /* memory budget for one parsed report */
#define MW_DR_XML_DEPTH_MAX 64        /* element depth: the schema nests 5 deep */

/* ---- DMARC failure reports (ARF, RFC 5965 / RFC 6591 / RFC 9991) ---- */
#define MW_ARF_PART_MAX (1u << 20)    /* decoded message/feedback-report part: real ones < 4 KiB (DKIM-Canonicalized-* grow it) */
#define MW_ARF_FIELDS_MAX 256         /* fields in the feedback part: RFC 5965/6591 define ~25 */
#define MW_ARF_LIST_MAX 64            /* values of one repeated field (Reported-URI ...) kept */
#define MW_ARF_VALUE_MAX (256u << 10) /* one field value: DKIM-Canonicalized-Body is a whole body in base64 */
#define MW_ARF_ORIGINAL_MAX (256u << 10) /* returned headers / message kept: RFC 6591 §3.2 asks for headers only */
#define MW_ARF_DEPTH_MAX 16           /* MIME nesting walked: reports are 1-2 deep */
#define MW_DR_RDNS_TIME_MS 30000      /* dmarc-report: total time for source reverse DNS; 20 sources x a few RTTs, or stop when DNS times out */

/* ---- DMARC disposition at the milter (forensics/disposition.h) ---- */
#define MW_DISPO_NETS_MAX 64          /* forwarder networks: a site lists its few relays */
#define MW_DISPO_NAMES_MAX 64         /* forwarder hosts, ARC sealers, List-Ids, exempt domains (each) */
#define MW_DISPO_NAME_MAX 256         /* one name: a domain (RFC 1035 255) or a List-Id (RFC 2919) */
#define MW_DISPO_COMMENT_MAX 128      /* the A-R comment text added for the disposition */

/* ---- DMARC aggregate report generation (RFC 9990 §2, §3) ---- */
#define MW_DMARCLOG_AUTH_MAX 8        /* dkim / spf results stored per evaluation: real mail has 1-3 signatures */
#define MW_DMARCLOG_REASONS_MAX 4     /* override reasons per evaluation: we produce at most 2 */
#define MW_DMARCLOG_FIELD_MAX 256     /* one stored value: domain names (253), words, short comments */
#define MW_DRGEN_PERIOD_MIN 3600      /* RFC 9990 §2.2: reports at most hourly are reasonable */
#define MW_DRGEN_PERIOD_MAX 604800    /* a week: longer periods only delay the owner's view */
#define MW_DRGEN_PERIODS_MAX 62       /* periods caught up in one run (two months of daily reports) */
#define MW_DRGEN_DEST_MAX 8           /* rua destinations used per policy domain (= MW_DMARC_URIS_MAX) */
#define MW_DRGEN_XML_MAX (64u << 20)  /* one generated XML document (= MW_DR_XML_MAX, our own reader's limit) */

#endif
