/*
 * daemon/webassets.h - the dashboard's static files, embedded in the binary.
 *
 * DESCRIPTION
 *   The files under web/ are turned into a C table at build time by
 *   tools/webembed.cmake (CMake script, no network, no npm): the output is
 *   ${CMAKE_BINARY_DIR}/webassets.c, regenerated whenever a file in web/
 *   changes.  web/index.html is served as "/index.html" (and "/"); every
 *   other file web/NAME as "/assets/NAME".
 *
 * OWNERSHIP
 *   The table and the bytes are static read-only data: never freed, safe to
 *   read from any thread (the libmicrohttpd thread serves them).
 */
#ifndef MW_DAEMON_WEBASSETS_H
#define MW_DAEMON_WEBASSETS_H

#include <stddef.h>

typedef struct web_asset {
	const char *path;          /* URL path, "/index.html", "/assets/app.js" */
	const char *mime;          /* Content-Type value, with charset for text */
	const unsigned char *data; /* file bytes (not NUL-terminated) */
	size_t len;
} web_asset;

/* web_asset_find - the asset for a URL path ("/" maps to "/index.html"); NULL if none */
const web_asset *web_asset_find(const char *path);

#endif
