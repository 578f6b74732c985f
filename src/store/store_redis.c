/*
 * store/store_redis.c - counters shared through Redis (see store.h).
 *
 * One Lua script does the whole window update on the server (atomic: Redis
 * runs scripts one at a time), with the server's clock so that several
 * daemons agree on the buckets.  A key is a Redis hash: h (newest bucket
 * index), w (bucket width ms), s0..s15 (counters); it expires by itself once
 * every bucket has left the window.
 *
 * Failure handling: every command runs with the configured timeout on the
 * socket (hiredis redisSetTimeout), so a request waits at most that long
 * for Redis.  Any error drops the connection and marks the store DEGRADED:
 * the request is counted in a local memory store instead.  A connection
 * broken by a Redis restart (EOF, reset) is reconnected at once, within the
 * same request.  Otherwise a reconnect (connect + SCRIPT LOAD, together
 * within the timeout) is tried at most once a second from mw_store_expire,
 * which the daemon calls from its one-second sweep; when it works the store
 * is UP again and counts go back to Redis.  Counts made locally during the outage
 * are not merged into Redis (see docs/SERVE.md).
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "core/str.h"
#include "store/store.h"

static const char lua_hit[] =
	"local t=redis.call('TIME')\n"
	"local now=tonumber(t[1])*1000+math.floor(tonumber(t[2])/1000)\n"
	"local width=tonumber(ARGV[1]) local n=tonumber(ARGV[2]) local S=16\n"
	"local idx=math.floor(now/width)\n"
	"local st=redis.call('HMGET',KEYS[1],'h','w')\n"
	"local head=tonumber(st[1]) local w=tonumber(st[2])\n"
	"if head==nil or w~=width or idx-head>=S then\n"
	"  redis.call('DEL',KEYS[1]) head=idx\n"
	"  redis.call('HSET',KEYS[1],'h',idx,'w',width)\n"
	"elseif idx>head then\n"
	"  for i=head+1,idx do redis.call('HDEL',KEYS[1],'s'..(i%S)) end\n"
	"  head=idx redis.call('HSET',KEYS[1],'h',idx)\n"
	"end\n"
	"if n>0 then redis.call('HINCRBY',KEYS[1],'s'..(head%S),n) end\n"
	"local f={} for i=0,S-1 do f[i+1]='s'..i end\n"
	"local v=redis.call('HMGET',KEYS[1],unpack(f))\n"
	"local sum=0 for i=1,S do sum=sum+(tonumber(v[i]) or 0) end\n"
	"redis.call('PEXPIRE',KEYS[1],width*S+1000)\n"
	"return sum\n";

_Static_assert(MW_RL_SLOTS == 16, "the Lua script spells MW_RL_SLOTS as 16");

typedef struct redis_store {
	mw_store base;
	mw_store *local; /* fallback counters */
	redisContext *c;
	char host[256];
	int port, timeout_ms;
	char prefix[64];
	char sha[41];
	int64_t next_try_ms;
	mw_store_state state;
} redis_store;

/* now_ms - wall clock for retry pacing */
static int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* drop - forget the connection; DEGRADED until a reconnect works */
static void drop(redis_store *r)
{
	if (r->c)
		redisFree(r->c);
	r->c = NULL;
	r->state = MW_STORE_DEGRADED;
	r->next_try_ms = now_ms() + 1000;
}

/* connect_now - connect and load the script within timeout_ms in total
 * (half for the TCP connect, half for SCRIPT LOAD); commands then get the
 * whole timeout */
static bool connect_now(redis_store *r)
{
	int half = r->timeout_ms / 2 > 0 ? r->timeout_ms / 2 : 1;
	struct timeval th = {half / 1000, (half % 1000) * 1000};
	struct timeval tv = {r->timeout_ms / 1000, (r->timeout_ms % 1000) * 1000};
	r->c = redisConnectWithTimeout(r->host, r->port, th);
	if (!r->c || r->c->err || redisSetTimeout(r->c, th) != REDIS_OK) {
		drop(r);
		return false;
	}
	redisReply *rep = redisCommand(r->c, "SCRIPT LOAD %s", lua_hit);
	bool ok = rep && rep->type == REDIS_REPLY_STRING && rep->len == 40;
	if (ok)
		memcpy(r->sha, rep->str, 41);
	if (rep)
		freeReplyObject(rep);
	if (!ok || redisSetTimeout(r->c, tv) != REDIS_OK) {
		drop(r);
		return false;
	}
	r->state = MW_STORE_UP;
	return true;
}

/* retry_due - reconnect, at most once a second; called from the sweep only,
 * so a request never waits for a reconnect while Redis is down or hung */
static void retry_due(redis_store *r)
{
	if (!r->c && now_ms() >= r->next_try_ms)
		connect_now(r);
}

/* rkey - prefix + key into buf */
static size_t rkey(const redis_store *r, const char *key, size_t klen, char *buf)
{
	size_t pl = strlen(r->prefix);
	memcpy(buf, r->prefix, pl);
	memcpy(buf + pl, key, klen);
	return pl + klen;
}

/* eval_hit - the script on the current connection; false on any failure */
static bool eval_hit(redis_store *r, const char *k, size_t kl, int64_t window_ms, uint32_t n,
		     uint64_t *count)
{
	unsigned width = (unsigned)mw_window_width(window_ms);
	redisReply *rep = redisCommand(r->c, "EVALSHA %s 1 %b %u %u", r->sha, k, kl, width, (unsigned)n);
	if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep); /* server restarted: script cache empty */
		rep = redisCommand(r->c, "EVAL %s 1 %b %u %u", lua_hit, k, kl, width, (unsigned)n);
	}
	bool ok = rep && rep->type == REDIS_REPLY_INTEGER;
	if (ok)
		*count = rep->integer < 0 ? 0 : (uint64_t)rep->integer;
	if (rep)
		freeReplyObject(rep);
	return ok;
}

/* red_hit - run the script.  If the connection breaks (Redis restarted:
 * EOF or reset, not a timeout), reconnect once at once and retry; any other
 * failure, or no connection, counts locally.  So a request waits at most
 * store_timeout_ms for a hung Redis. */
static mw_status red_hit(mw_store *s, const char *key, size_t klen, int64_t window_ms, uint32_t n,
			 int64_t now, uint64_t *count, mw_err *err)
{
	redis_store *r = (redis_store *)s;
	if (klen > MW_RL_KEY_MAX)
		return mw_err_set(err, MW_ETOOBIG, "counter key longer than %d bytes", MW_RL_KEY_MAX);
	char k[MW_RL_KEY_MAX + 64];
	size_t kl = rkey(r, key, klen, k);
	if (r->c) {
		if (eval_hit(r, k, kl, window_ms, n, count))
			return MW_OK;
		int e = errno;
		bool broken = r->c->err == REDIS_ERR_EOF ||
			      (r->c->err == REDIS_ERR_IO && e != EAGAIN && e != EWOULDBLOCK);
		drop(r);
		if (broken && connect_now(r) && eval_hit(r, k, kl, window_ms, n, count))
			return MW_OK;
		if (r->c)
			drop(r);
	}
	return mw_store_hit(r->local, key, klen, window_ms, n, now, count, err);
}

/* red_reset - delete in Redis (when reachable) and locally */
static mw_status red_reset(mw_store *s, const char *key, size_t klen, mw_err *err)
{
	redis_store *r = (redis_store *)s;
	bool found = mw_store_reset(r->local, key, klen, NULL) == MW_OK;
	if (r->c) {
		char k[MW_RL_KEY_MAX + 64];
		size_t kl = rkey(r, key, klen, k);
		redisReply *rep = redisCommand(r->c, "DEL %b", k, kl);
		if (rep && rep->type == REDIS_REPLY_INTEGER)
			found |= rep->integer > 0;
		else
			drop(r);
		if (rep)
			freeReplyObject(rep);
	}
	return found ? MW_OK : mw_err_set(err, MW_ENOTFOUND, "no such key");
}

static size_t red_expire(mw_store *s, int64_t now, size_t budget)
{
	redis_store *r = (redis_store *)s;
	retry_due(r); /* the daemon's one-second sweep is the reconnect timer */
	return mw_store_expire(r->local, now, budget);
}
static size_t red_keys(const mw_store *s) { return mw_store_keys(((const redis_store *)s)->local); }
static mw_status red_flush(mw_store *s, mw_err *err)
{
	(void)s;
	(void)err;
	return MW_OK;
}
static mw_store_state red_state(const mw_store *s) { return ((const redis_store *)s)->state; }
static void red_free(mw_store *s)
{
	redis_store *r = (redis_store *)s;
	if (r->c)
		redisFree(r->c);
	mw_store_free(r->local);
	free(r);
}

static const mw_store_ops red_ops = {
	"redis", red_hit, red_reset, red_expire, red_keys, red_flush, red_state, red_free,
};

/* mw_store_open_redis - see store.h */
mw_store *mw_store_open_redis(const char *host, int port, int timeout_ms, const char *prefix,
			      size_t max_keys, mw_err *err)
{
	redis_store *r = calloc(1, sizeof(*r));
	if (!r || !(r->local = mw_store_open_memory(max_keys))) {
		free(r);
		mw_err_set(err, MW_ENOMEM, "out of memory");
		return NULL;
	}
	r->base.ops = &red_ops;
	mw_strlcpy(r->host, host, sizeof(r->host));
	mw_strlcpy(r->prefix, prefix ? prefix : "mw:", sizeof(r->prefix));
	r->port = port;
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : 50;
	connect_now(r); /* DEGRADED if Redis is down; retried later */
	return &r->base;
}
