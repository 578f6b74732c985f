/*
 * tests/support/testutil.h - helpers shared by the cmocka unit tests.
 *
 * External suites live in ../shared/testdata (MW_TESTDATA_DIR).  A user's
 * fresh clone does not have it: such tests call testdata_or_skip(), which
 * makes the whole test binary exit 77 (ctest reports it as skipped).
 */
#ifndef MW_TESTUTIL_H
#define MW_TESTUTIL_H

#include <stddef.h>

/* testdata_path - MW_TESTDATA_DIR "/" rel into a static buffer */
const char *testdata_path(const char *rel);
/* testdata_or_skip - exit(77) with a message if rel does not exist; returns its path */
const char *testdata_or_skip(const char *rel);
/* read_file_or_die - whole file, NUL-terminated, malloc'd; aborts the test on error */
char *read_file_or_die(const char *path, size_t *len);

#endif
