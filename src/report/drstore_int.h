/*
 * report/drstore_int.h - what drstore.c and drstore_query.c share (private).
 */
#ifndef MW_REPORT_DRSTORE_INT_H
#define MW_REPORT_DRSTORE_INT_H

#include <sqlite3.h>

#include "report/drstore.h"

struct mw_drstore {
	sqlite3 *db;
	char path[256];
};

/* drstore_sql_err - MW_EIO with SQLite's message, naming the file */
mw_status drstore_sql_err(mw_drstore *d, mw_err *err, const char *what);

#endif
