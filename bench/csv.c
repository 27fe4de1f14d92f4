/* Tidy CSV rows; see csv.h and results/README.md. */

#include "csv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#define CSV_NAME_(name) #name,
const char *const csv_columns[CSV_NCOLS] = { CSV_COLUMNS(CSV_NAME_) };
#undef CSV_NAME_

void
csv_put_field(FILE *f, const char *s) {
	if (s == NULL)
		return;
	size_t n = strlen(s);
	int quote = n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
	if (strpbrk(s, ",\"\r\n"))
		quote = 1;
	if (!quote) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

void
csv_put_record(FILE *f, const char *const fields[CSV_NCOLS]) {
	for (int i = 0; i < CSV_NCOLS; i++) {
		if (i)
			putc(',', f);
		csv_put_field(f, fields[i]);
	}
	putc('\n', f);
}

void
csv_put_header(FILE *f) {
	csv_put_record(f, csv_columns);
}

void
csv_utc_now(char *buf, size_t len) {
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
copy_env(char *dst, size_t len, const char *var, const char *dflt) {
	const char *v = getenv(var);
	snprintf(dst, len, "%s", v && *v ? v : dflt);
}

static void
read_cpu_model(char *dst, size_t len) {
	snprintf(dst, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f == NULL)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		/* x86: "model name"; arm64 has no name line, only "CPU implementer/part" */
		if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0) {
			char *c = strchr(line, ':');
			if (c == NULL)
				continue;
			c += 1 + strspn(c + 1, " \t");
			c[strcspn(c, "\n")] = 0;
			snprintf(dst, len, "%s", c);
			break;
		}
	}
	fclose(f);
}

void
csv_context_init(struct csv_context *c, const char *cflags, const char *libs,
	const char *topology) {
	memset(c, 0, sizeof *c);
	char fallback[96];
	snprintf(fallback, sizeof fallback, "adhoc-%ld-%d", (long)time(NULL), (int)getpid());
	copy_env(c->run_id, sizeof c->run_id, "SKYBENCH_RUN_ID", fallback);
	copy_env(c->git_rev, sizeof c->git_rev, "SKYBENCH_GIT_REV", "unknown");
	copy_env(c->variant, sizeof c->variant, "SKYBENCH_VARIANT", "unknown");
	copy_env(c->handle, sizeof c->handle, "SKYBENCH_HANDLE", "");
	copy_env(c->globalq, sizeof c->globalq, "SKYBENCH_GLOBALQ", "");
	copy_env(c->timer, sizeof c->timer, "SKYBENCH_TIMER", "");
	copy_env(c->sched, sizeof c->sched, "SKYBENCH_SCHED", "");
	copy_env(c->mailbox, sizeof c->mailbox, "SKYBENCH_MAILBOX", "");
	/* SKYBENCH_HOST_LABEL replaces the hostname: bench/run.sh sets it to
	 * <host>-emulated-<label> for a run under qemu, so that its rows can never pass for
	 * the host's own numbers */
	const char *label = getenv("SKYBENCH_HOST_LABEL");
	if (label != NULL && *label != '\0')
		snprintf(c->host, sizeof c->host, "%s", label);
	else if (gethostname(c->host, sizeof c->host - 1) != 0)
		snprintf(c->host, sizeof c->host, "unknown");
#if defined(__clang__)
	snprintf(c->compiler, sizeof c->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(c->compiler, sizeof c->compiler, "gcc %s", __VERSION__);
#else
	snprintf(c->compiler, sizeof c->compiler, "unknown");
#endif
	snprintf(c->cflags, sizeof c->cflags, "%s", cflags ? cflags : "");
	snprintf(c->libs, sizeof c->libs, "%s", libs ? libs : "");
	snprintf(c->topology, sizeof c->topology, "%s", topology ? topology : "unknown");
	read_cpu_model(c->cpu_model, sizeof c->cpu_model);
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(c->kernel, sizeof c->kernel, "%s %s %s", u.sysname, u.release, u.machine);
	else
		snprintf(c->kernel, sizeof c->kernel, "unknown");
}

void
csv_put_row(FILE *f, const struct csv_context *c, const struct csv_row *r) {
	char date[32], threads[16], over[4], rep[16], value[64], ops[32], wall[32], ceil[4];
	csv_utc_now(date, sizeof date);
	snprintf(threads, sizeof threads, "%d", r->threads);
	snprintf(over, sizeof over, "%d", r->oversubscribed ? 1 : 0);
	snprintf(rep, sizeof rep, "%d", r->rep);
	snprintf(ceil, sizeof ceil, "%d", r->ceiling ? 1 : 0);
	/* %.17g round-trips a double; a failed check prints no number */
	int passed = r->check == NULL || strcmp(r->check, "fail") != 0;
	if (passed)
		snprintf(value, sizeof value, "%.17g", r->value);
	else
		value[0] = 0;
	snprintf(ops, sizeof ops, "%llu", (unsigned long long)r->ops);
	snprintf(wall, sizeof wall, "%llu", (unsigned long long)r->wall_ns);
	const char *fields[CSV_NCOLS] = {
		[CSV_run_id] = c->run_id, [CSV_date] = date, [CSV_host] = c->host,
		[CSV_git_rev] = c->git_rev, [CSV_variant] = c->variant, [CSV_handle] = c->handle,
		[CSV_globalq] = c->globalq, [CSV_timer] = c->timer, [CSV_sched] = c->sched,
		[CSV_sched_wake] = "-", [CSV_sched_next] = "-", [CSV_sched_steal] = "-",
		[CSV_sched_inject] = "-", [CSV_mailbox] = c->mailbox, [CSV_part] = r->part, [CSV_impl] = r->impl,
		[CSV_peer] = "", [CSV_ceiling] = ceil, [CSV_benchmark] = r->benchmark,
		[CSV_params] = r->params, [CSV_threads] = threads, [CSV_oversubscribed] = over,
		[CSV_pin] = r->pin, [CSV_cpus] = r->cpus, [CSV_rep] = rep, [CSV_metric] = r->metric,
		[CSV_value] = value, [CSV_unit] = r->unit, [CSV_ops] = ops, [CSV_wall_ns] = wall,
		[CSV_check] = r->check ? r->check : "none", [CSV_counters] = "-", [CSV_compiler] = c->compiler,
		[CSV_cflags] = c->cflags, [CSV_libs] = c->libs, [CSV_cpu_model] = c->cpu_model,
		[CSV_topology] = c->topology, [CSV_kernel] = c->kernel,
	};
	csv_put_record(f, fields);
}
