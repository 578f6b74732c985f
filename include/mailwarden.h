/*
 * mailwarden.h - public header of libmailwarden.
 *
 * Applications include this one header and link -lmailwarden.  It pulls in
 * the module headers that form the stable API: core values (errors,
 * buffers, IP addresses), the DNS layer (resolver backends, zone data,
 * cache, replay driver) and the authentication engines.
 */
#ifndef MAILWARDEN_H
#define MAILWARDEN_H

#include "core/buf.h"
#include "core/err.h"
#include "core/ip.h"
#include "core/limits.h"
#include "dns/cache.h"
#include "dns/dns.h"
#include "dns/lookup.h"
#include "dns/resolver.h"
#include "dns/zone.h"
#include "auth/result.h"
#include "auth/spf.h"

#endif
