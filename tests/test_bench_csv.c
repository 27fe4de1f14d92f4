/* skybench-test: partless */
/* The benchmark CSV writer: header, quoting, one row per sample, a failed check has no
 * number, and the documented schema (results/README.md) equals the writer's columns. */

#include "tap.h"
#include "../bench/csv.c"

#include <string.h>

static char *
slurp(FILE *f) {
	static char buf[1 << 16];
	rewind(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	return buf;
}

static const char *
quoted(const char *in) {
	static char buf[256];
	FILE *f = tmpfile();
	csv_put_field(f, in);
	fflush(f);
	snprintf(buf, sizeof buf, "%s", slurp(f));
	fclose(f);
	return buf;
}

/* split one CSV line (RFC 4180, no embedded newlines needed here) into fields */
static int
split(const char *line, char out[][256], int max) {
	int n = 0;
	const char *p = line;
	for (;;) {
		char *o = out[n];
		size_t k = 0;
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				if (k < 255)
					o[k++] = *p;
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ',' && *p != '\n')
				if (k < 255)
					o[k++] = *p++;
		}
		o[k] = 0;
		n++;
		if (*p != ',' || n == max)
			break;
		p++;
	}
	return n;
}

static void
check_readme(void) {
	FILE *f = fopen("results/README.md", "r");
	if (f == NULL) {
		ok(0, "results/README.md readable from the repository root (run from there)");
		return;
	}
	char line[1024];
	int in_columns = 0, n = 0, mismatch = 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "## ", 3) == 0)
			in_columns = strncmp(line, "## Columns", 10) == 0;
		if (!in_columns || strncmp(line, "| `", 3) != 0)
			continue;
		char *name = line + 3;
		name[strcspn(name, "`")] = 0;
		if (n >= CSV_NCOLS || strcmp(name, csv_columns[n]) != 0) {
			diag("README column %d is '%s', writer has '%s'", n + 1, name,
				n < CSV_NCOLS ? csv_columns[n] : "(none)");
			mismatch++;
		}
		n++;
	}
	fclose(f);
	ok(n == CSV_NCOLS && mismatch == 0,
		"results/README.md documents the writer's %d columns in order (found %d)", CSV_NCOLS, n);
}

int
main(void) {
	ok(strcmp(quoted("plain"), "plain") == 0, "plain field unquoted");
	ok(strcmp(quoted(""), "") == 0, "empty field stays empty");
	ok(strcmp(quoted("a,b"), "\"a,b\"") == 0, "comma quoted");
	ok(strcmp(quoted("say \"hi\""), "\"say \"\"hi\"\"\"") == 0, "quotes doubled: %s",
		quoted("say \"hi\""));
	ok(strcmp(quoted("two\nlines"), "\"two\nlines\"") == 0, "newline quoted");
	ok(strcmp(quoted(" pad"), "\" pad\"") == 0, "leading blank quoted");
	ok(strcmp(quoted("k=v;x=1"), "k=v;x=1") == 0, "params with ; and = unquoted");

	struct csv_context c;
	setenv("SKYBENCH_RUN_ID", "host-20260101T000000Z-baseline", 1);
	setenv("SKYBENCH_VARIANT", "baseline", 1);
	setenv("SKYBENCH_HANDLE", "rwlock", 1);
	csv_context_init(&c, "-O2 -g -DX=\"a,b\"", "benchmark=1.7.1;ck=0.7.1", "1 socket x 2 cores");
	ok(strcmp(c.run_id, "host-20260101T000000Z-baseline") == 0 && strcmp(c.handle, "rwlock") == 0,
		"context takes run id and parts from the environment");
	ok(c.host[0] && c.kernel[0] && c.compiler[0], "context knows host (%s), kernel (%s), compiler",
		c.host, c.kernel);
	/* an emulated run (bench/run.sh under qemu) labels its host; unset, the hostname */
	char hn[128] = "";
	struct csv_context e;
	unsetenv("SKYBENCH_HOST_LABEL");
	csv_context_init(&e, "", "", "");
	ok(gethostname(hn, sizeof hn - 1) == 0 && strcmp(e.host, hn) == 0,
		"without SKYBENCH_HOST_LABEL the host is the hostname (%s)", e.host);
	setenv("SKYBENCH_HOST_LABEL", "vm-emulated-qemu-aarch64-llsc", 1);
	csv_context_init(&e, "", "", "");
	ok(strcmp(e.host, "vm-emulated-qemu-aarch64-llsc") == 0,
		"SKYBENCH_HOST_LABEL replaces the hostname (%s)", e.host);
	unsetenv("SKYBENCH_HOST_LABEL");

	FILE *f = tmpfile();
	csv_put_header(f);
	double samples[5] = { 1.5e7, 1.25e7, 1.75e7, 1e7, 2e7 };
	for (int i = 0; i < 5; i++) {
		struct csv_row r = {
			.part = "globalq", .impl = "spin", .benchmark = "pairs", .params = "burst=1",
			.threads = 2, .pin = "compact", .cpus = "0;1", .rep = i + 1,
			.metric = "ops_per_s", .value = samples[i], .unit = "ops/s", .ops = 123456789,
			.wall_ns = 200000000, .check = i == 3 ? "fail" : "pass",
		};
		csv_put_row(f, &c, &r);
	}
	fflush(f);
	char *text = slurp(f);
	fclose(f);

	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	static char fields[64][256];
	int n = split(line, fields, 64);
	int header_ok = n == CSV_NCOLS;
	for (int i = 0; header_ok && i < n; i++)
		header_ok = strcmp(fields[i], csv_columns[i]) == 0;
	ok(header_ok, "header has the %d column names in order (got %d fields)", CSV_NCOLS, n);
	ok(strcmp(csv_columns[0], "run_id") == 0 && strcmp(csv_columns[CSV_value], "value") == 0,
		"column enum and names agree");

	int rows = 0, shape = 1, values = 1;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		n = split(line, fields, 64);
		if (n != CSV_NCOLS) {
			diag("row %d has %d fields", rows + 1, n);
			shape = 0;
			continue;
		}
		int rep = atoi(fields[CSV_rep]);
		if (strcmp(fields[CSV_cflags], "-O2 -g -DX=\"a,b\"") != 0 ||
		    strcmp(fields[CSV_cpus], "0;1") != 0 || strcmp(fields[CSV_threads], "2") != 0 ||
		    strcmp(fields[CSV_variant], "baseline") != 0 || strlen(fields[CSV_date]) != 20)
			shape = 0;
		if (rep == 4)
			values &= fields[CSV_value][0] == 0 && strcmp(fields[CSV_check], "fail") == 0;
		else
			values &= strtod(fields[CSV_value], NULL) == samples[rep - 1] &&
				strcmp(fields[CSV_check], "pass") == 0;
		rows++;
	}
	is_int(rows, 5, "one row per sample");
	ok(shape, "every row has every column, quoted fields read back intact");
	ok(values, "values round-trip exactly; the failed sample has no number");

	check_readme();
	return done_testing();
}
