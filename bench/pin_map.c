/* The pure half of pinning: policy names and (policy, thread, topology) -> CPU. pin.h. */

#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail(char *err, size_t len, const char *msg, const char *arg) {
	if (err && len)
		snprintf(err, len, "%s%s", msg, arg ? arg : "");
	return -1;
}

static int
parse_list(const char *s, struct pin_policy *p, char *err, size_t errlen) {
	p->nlist = 0;
	const char *c = s;
	while (*c) {
		char *end;
		long v = strtol(c, &end, 10);
		if (end == c || v < 0 || v > 1 << 20)
			return fail(err, errlen, "pin list: expected CPU numbers separated by ',': ", s);
		if (p->nlist == PIN_LIST_MAX)
			return fail(err, errlen, "pin list too long: ", s);
		p->list[p->nlist++] = (int)v;
		c = end;
		if (*c == ',')
			c++;
		else if (*c)
			return fail(err, errlen, "pin list: unexpected character in ", s);
	}
	if (p->nlist == 0)
		return fail(err, errlen, "pin list is empty: ", s);
	return 0;
}

int
pin_policy_parse(const char *s, struct pin_policy *p, char *err, size_t errlen) {
	static const struct { const char *name; enum pin_kind kind; } names[] = {
		{ "none", PIN_NONE }, { "compact", PIN_COMPACT }, { "scatter", PIN_SCATTER },
		{ "one-per-core", PIN_ONE_PER_CORE }, { "smt-siblings", PIN_SMT_SIBLINGS },
	};
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0) {
			p->kind = names[i].kind;
			snprintf(p->name, sizeof p->name, "%s", s);
			return 0;
		}
	const char *list = strncmp(s, "list:", 5) == 0 ? s + 5 : s;
	if (*list < '0' || *list > '9')
		return fail(err, errlen, "unknown pin policy (compact, scatter, one-per-core, "
			"smt-siblings, list:0,1, none): ", s);
	p->kind = PIN_LIST;
	if (parse_list(list, p, err, errlen))
		return -1;
	snprintf(p->name, sizeof p->name, "list:%.58s", list);
	return 0;
}

/* the topology's PUs in the order the policy hands them out; returns how many */
static int
policy_order(const struct pin_topo *t, enum pin_kind kind, int *order) {
	int n = 0;
	switch (kind) {
	case PIN_COMPACT:
	case PIN_SMT_SIBLINGS:
		for (int i = 0; i < t->npu; i++)
			order[n++] = t->pu[i].os;
		break;
	case PIN_ONE_PER_CORE:
		for (int i = 0; i < t->npu; i++)
			if (i == 0 || t->pu[i].core != t->pu[i - 1].core)
				order[n++] = t->pu[i].os;
		break;
	case PIN_SCATTER: {
		/* rank of each PU among its core's siblings, and of its core within its socket */
		int *sib = calloc((size_t)t->npu, sizeof *sib);
		int *cis = calloc((size_t)t->npu, sizeof *cis);
		int maxsib = 0, maxcis = 0;
		for (int i = 0, core_rank = 0; i < t->npu; i++) {
			if (i > 0 && t->pu[i].core == t->pu[i - 1].core) {
				sib[i] = sib[i - 1] + 1;
				cis[i] = cis[i - 1];
			} else {
				if (i > 0 && t->pu[i].socket != t->pu[i - 1].socket)
					core_rank = 0;
				else if (i > 0)
					core_rank++;
				cis[i] = core_rank;
			}
			if (sib[i] > maxsib)
				maxsib = sib[i];
			if (cis[i] > maxcis)
				maxcis = cis[i];
		}
		for (int s = 0; s <= maxsib; s++)
			for (int c = 0; c <= maxcis; c++)
				for (int k = 0; k < t->nsockets; k++)
					for (int i = 0; i < t->npu; i++)
						if (sib[i] == s && cis[i] == c && t->pu[i].socket == k)
							order[n++] = t->pu[i].os;
		free(sib);
		free(cis);
		break;
	}
	default:
		break;
	}
	return n;
}

int
pin_map(const struct pin_topo *t, const struct pin_policy *p, int nthreads, int *cpu,
	int *oversubscribed, char *err, size_t errlen) {
	*oversubscribed = 0;
	if (p->kind == PIN_NONE) {
		for (int i = 0; i < nthreads; i++)
			cpu[i] = -1;
		return 0;
	}
	if (t == NULL || t->npu == 0)
		return fail(err, errlen, "no topology to pin with: ", p->name);
	if (p->kind == PIN_LIST) {
		for (int j = 0; j < p->nlist; j++) {
			int found = 0;
			for (int i = 0; i < t->npu; i++)
				found |= t->pu[i].os == p->list[j];
			if (!found) {
				char num[16];
				snprintf(num, sizeof num, "%d", p->list[j]);
				return fail(err, errlen, "pin list names a CPU this process cannot use: ", num);
			}
		}
		int distinct = 0;
		for (int j = 0; j < p->nlist; j++) {
			int dup = 0;
			for (int k = 0; k < j; k++)
				dup |= p->list[k] == p->list[j];
			distinct += !dup;
		}
		for (int i = 0; i < nthreads; i++)
			cpu[i] = p->list[i % p->nlist];
		*oversubscribed = nthreads > distinct;
		return 0;
	}
	if (p->kind == PIN_SMT_SIBLINGS && t->npu == t->ncores)
		return fail(err, errlen, "smt-siblings: this machine has one PU per core (no SMT)", NULL);
	int *order = malloc((size_t)t->npu * sizeof *order);
	if (order == NULL)
		abort();
	int n = policy_order(t, p->kind, order);
	for (int i = 0; i < nthreads; i++)
		cpu[i] = order[i % n];
	*oversubscribed = nthreads > n;
	free(order);
	return 0;
}

void
pin_topo_synthetic(struct pin_topo *t, struct pin_pu *pu, int sockets, int cores, int smt) {
	int n = 0;
	for (int s = 0; s < sockets; s++)
		for (int c = 0; c < cores; c++)
			for (int h = 0; h < smt; h++) {
				pu[n].os = h * sockets * cores + s * cores + c;
				pu[n].core = s * cores + c;
				pu[n].socket = s;
				pu[n].numa = s;
				n++;
			}
	t->npu = n;
	t->ncores = sockets * cores;
	t->nsockets = sockets;
	t->nnuma = sockets;
	t->pu = pu;
}

void
pin_topo_describe(const struct pin_topo *t, char *buf, size_t len) {
	if (t == NULL || t->npu == 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	int cps = t->ncores / (t->nsockets ? t->nsockets : 1);
	int ppc = t->npu / (t->ncores ? t->ncores : 1);
	snprintf(buf, len, "%d socket%s x %d cores x %d PU/core, %d PUs, %d NUMA node%s",
		t->nsockets, t->nsockets == 1 ? "" : "s", cps, ppc, t->npu, t->nnuma,
		t->nnuma == 1 ? "" : "s");
}
