/* csvrow: results rows for the shell drivers, written by the same code as the C programs'
 * (csv.h: the column list, the quoting, the header), so no script spells the schema.
 *
 *   csvrow --header                            the header line on stdout
 *   csvrow [--csv FILE] KEY=VALUE...           one row
 *   csvrow [--csv FILE] --stdin KEY=VALUE...   rows from stdin: KEY=VALUE lines, an empty
 *                                              line ends a row; the arguments go into every row
 *
 * KEY is a column of results/README.md. Every column must be given once (a value may be
 * empty), except date, which defaults to now (UTC, as csv_put_row writes it). check is
 * pass, fail or none, and value is empty exactly when check=fail (a failed run has no
 * number). With --csv the rows are appended to FILE, after the header if FILE is empty.
 * Nothing is written unless every row is valid: an unknown, duplicate or missing key, or a
 * broken rule, is one line on stderr and exit status 2. */

#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct row {
	char *f[CSV_NCOLS];
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	fputs("csvrow: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static int
column(const char *key, size_t len) {
	for (int i = 0; i < CSV_NCOLS; i++)
		if (strlen(csv_columns[i]) == len && strncmp(csv_columns[i], key, len) == 0)
			return i;
	return -1;
}

/* KEY=VALUE into r; where says where it came from, for the error line */
static void
set(struct row *r, const char *kv, const char *where) {
	const char *eq = strchr(kv, '=');
	if (eq == NULL)
		die("%s: '%s' is not KEY=VALUE", where, kv);
	int c = column(kv, (size_t)(eq - kv));
	if (c < 0) {
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
		die("%s: unknown key '%s' (the columns are those of results/README.md)", where, key);
	}
	if (r->f[c] != NULL)
		die("%s: key '%s' given twice", where, csv_columns[c]);
	r->f[c] = strdup(eq + 1);
	if (r->f[c] == NULL)
		abort();
}

static void
validate(struct row *r, const char *where, const char *now) {
	if (r->f[CSV_date] == NULL)
		r->f[CSV_date] = strdup(now);
	char missing[1024] = "";
	for (int i = 0; i < CSV_NCOLS; i++) {
		if (r->f[i] != NULL)
			continue;
		size_t n = strlen(missing);
		snprintf(missing + n, sizeof missing - n, "%s%s", n ? " " : "", csv_columns[i]);
	}
	if (missing[0])
		die("%s: missing key(s): %s", where, missing);
	const char *chk = r->f[CSV_check], *v = r->f[CSV_value];
	if (strcmp(chk, "pass") && strcmp(chk, "fail") && strcmp(chk, "none"))
		die("%s: check='%s', want pass, fail or none", where, chk);
	if (strcmp(chk, "fail") == 0 ? v[0] != 0 : v[0] == 0)
		die("%s: value='%s': empty exactly when check=fail", where, v);
}

int
main(int argc, char **argv) {
	const char *path = NULL;
	int from_stdin = 0, header = 0, i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--stdin") == 0)
			from_stdin = 1;
		else if (strcmp(argv[i], "--header") == 0)
			header = 1;
		else
			die("unknown option '%s' (usage: csvrow --header | csvrow [--csv FILE] "
				"[--stdin] KEY=VALUE...)", argv[i]);
	}
	if (header && (path || from_stdin || i < argc))
		die("--header takes nothing else");
	if (header) {
		csv_put_header(stdout);
		return 0;
	}

	struct row common = { { NULL } };
	for (; i < argc; i++)
		set(&common, argv[i], "argument");
	char now[32];
	csv_utc_now(now, sizeof now);

	struct row *rows = NULL;
	int nrows = 0, cap = 0;
	if (!from_stdin) {
		rows = malloc(sizeof *rows);
		if (rows == NULL)
			abort();
		rows[nrows++] = common;
		validate(&rows[0], "the row", now);
	} else {
		char *line = NULL, where[64];
		size_t len = 0;
		long lineno = 0;
		int open = 0;
		ssize_t n;
		for (;;) {
			n = getline(&line, &len, stdin);
			if (n > 0 && line[n - 1] == '\n')
				line[--n] = 0;
			if (n <= 0 && open) {	/* an empty line or the end closes the row */
				snprintf(where, sizeof where, "row %d (ends at stdin line %ld)", nrows,
					lineno + (n == 0));
				validate(&rows[nrows - 1], where, now);
				open = 0;
			}
			if (n < 0)
				break;
			lineno++;
			if (n == 0)
				continue;
			if (!open) {
				if (nrows == cap) {
					cap = cap ? 2 * cap : 16;
					rows = realloc(rows, (size_t)cap * sizeof *rows);
					if (rows == NULL)
						abort();
				}
				struct row *r = &rows[nrows++];
				for (int c = 0; c < CSV_NCOLS; c++)
					r->f[c] = common.f[c] ? strdup(common.f[c]) : NULL;
				open = 1;
			}
			snprintf(where, sizeof where, "stdin line %ld", lineno);
			set(&rows[nrows - 1], line, where);
		}
		free(line);
		if (nrows == 0)
			die("--stdin: no row on stdin");
	}

	FILE *out = stdout;
	if (path) {
		out = fopen(path, "a");
		if (out == NULL)
			die("cannot append to %s", path);
		struct stat st;
		if (fstat(fileno(out), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
			csv_put_header(out);
	}
	for (int r = 0; r < nrows; r++)
		csv_put_record(out, (const char *const *)rows[r].f);
	if (fflush(out) != 0 || ferror(out))
		die("write failed%s%s", path ? " to " : "", path ? path : "");
	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < CSV_NCOLS; c++)
			free(rows[r].f[c]);
	if (from_stdin)	/* else rows[0] holds common's strings, freed above */
		for (int c = 0; c < CSV_NCOLS; c++)
			free(common.f[c]);
	free(rows);
	if (path)
		fclose(out);
	return 0;
}
