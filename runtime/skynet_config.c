/* skynet's config file without Lua (see skynet_config.h for the accepted subset).
 *
 * skynet's main runs the file as a Lua chunk whose globals are the result table, after
 * replacing every $NAME by getenv(NAME) in the raw text; include loads another file
 * relative to the current one into the same table. We do the same textual substitution,
 * then a small lexer (Lua's token rules for names, numbers, strings, long brackets and
 * comments) and a statement parser that accepts assignments of literals, earlier keys
 * and '..' concatenations. Keys go into a local table first (a later assignment of the
 * same key wins, nil removes it, as in Lua), then into the env in assignment order. */

#include "skynet_config.h"
#include "skynet_env.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INCLUDE_DEPTH 16

enum { V_NIL, V_BOOL, V_NUM, V_STR };

struct buf {
	char *p;
	size_t n, cap;
};

struct value {
	int type;
	struct buf s;		/* textual form, as Lua's tostring gives it */
};

struct kv {
	char *key;
	int type;		/* V_BOOL, V_NUM or V_STR */
	char *val;
	size_t len;
	char *where;		/* "file:line" of the assignment, for late errors */
};

struct loader {
	struct kv *kv;
	int n, cap;
	char *err;
	size_t errlen;
	int failed;
	int depth;
};

enum { T_EOF = 256, T_NAME, T_STRING, T_NUMBER, T_CONCAT, T_OP };

struct lex {
	struct loader *L;
	const char *file;	/* as shown in messages */
	const char *dir;	/* prefix for includes: "" or ending in '/' */
	const char *s;
	size_t pos, len;
	int line;
	int tok;
	int tokline;
	struct buf tb;		/* name, string contents, numeral or operator text */
	int isint;		/* T_NUMBER: integer (ival) or float (dval) */
	long long ival;
	double dval;
};

static const char *reserved[] = {
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
	"if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true",
	"until", "while", NULL,
};

/* the message is one line even if a name or value in it holds control characters */
static void
oneline(char *s) {
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int
fail(struct loader *L, const char *file, int line, const char *fmt, ...) {
	if (L->failed)
		return -1;
	L->failed = 1;
	int n = line > 0 ? snprintf(L->err, L->errlen, "%s:%d: ", file, line)
		: snprintf(L->err, L->errlen, "%s: ", file);
	if (n >= 0 && (size_t)n < L->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(L->err + n, L->errlen - n, fmt, ap);
		va_end(ap);
	}
	oneline(L->err);
	return -1;
}

static void
buf_push(struct buf *b, const char *p, size_t n) {
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (b->n + n + 1 > cap)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (np == NULL)
			abort();
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
buf_putc(struct buf *b, char c) {
	buf_push(b, &c, 1);
}

static void
buf_reset(struct buf *b) {
	b->n = 0;
	buf_push(b, "", 0);
}

/* ---- the key table ---------------------------------------------------------------- */

static struct kv *
table_find(struct loader *L, const char *key) {
	int i;
	for (i = 0; i < L->n; i++)
		if (strcmp(L->kv[i].key, key) == 0)
			return &L->kv[i];
	return NULL;
}

static void
kv_free(struct kv *e) {
	free(e->key);
	free(e->val);
	free(e->where);
}

static void
table_set(struct lex *x, const char *key, struct value *v, int line) {
	struct loader *L = x->L;
	struct kv *e = table_find(L, key);
	if (v->type == V_NIL) {
		if (e) {
			kv_free(e);
			memmove(e, e + 1, (L->kv + L->n - (e + 1)) * sizeof(*e));
			L->n--;
		}
		return;
	}
	if (e == NULL) {
		if (L->n == L->cap) {
			L->cap = L->cap ? L->cap * 2 : 16;
			L->kv = realloc(L->kv, L->cap * sizeof(*L->kv));
			if (L->kv == NULL)
				abort();
		}
		e = &L->kv[L->n++];
		e->key = strdup(key);
	} else {
		free(e->val);
		free(e->where);
	}
	e->val = malloc(v->s.n + 1);
	memcpy(e->val, v->s.p, v->s.n + 1);
	e->len = v->s.n;
	e->type = v->type;
	size_t wl = strlen(x->file) + 16;
	e->where = malloc(wl);
	snprintf(e->where, wl, "%s:%d", x->file, line);
	if (e->key == NULL || e->val == NULL || e->where == NULL)
		abort();
}

/* ---- reading and $NAME substitution ------------------------------------------------- */

static char *
readfile(const char *path, size_t *len) {
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf b = { NULL, 0, 0 };
	char tmp[4096];
	size_t n;
	buf_reset(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_push(&b, tmp, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(b.p);
		errno = EIO;
		return NULL;
	}
	*len = b.n;
	return b.p;
}

static int
isnamechar(int c) {
	return isalnum(c) || c == '_';
}

/* skynet: string.gsub(code, "%$([%w_%d]+)", getenv), getenv asserting the name is set */
static char *
substitute(struct loader *L, const char *file, const char *s, size_t len, size_t *outlen) {
	struct buf b = { NULL, 0, 0 };
	size_t i = 0;
	int line = 1;
	buf_reset(&b);
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '$') {
			if (s[j] == '\n')
				line++;
			j++;
		}
		buf_push(&b, s + i, j - i);
		if (j == len)
			break;
		size_t k = j + 1;
		while (k < len && isnamechar((unsigned char)s[k]))
			k++;
		if (k == j + 1) {	/* a lone '$' stays; the lexer will complain if it matters */
			buf_putc(&b, '$');
			i = j + 1;
			continue;
		}
		char name[256];
		size_t nl = k - j - 1 < sizeof(name) - 1 ? k - j - 1 : sizeof(name) - 1;
		memcpy(name, s + j + 1, nl);
		name[nl] = '\0';
		const char *v = getenv(name);
		if (v == NULL) {
			free(b.p);
			fail(L, file, line, "environment variable '%s' is not set (used as $%s)", name, name);
			return NULL;
		}
		buf_push(&b, v, strlen(v));
		i = k;
	}
	*outlen = b.n;
	return b.p;
}

/* ---- lexer (Lua 5.4 token rules) ---------------------------------------------------- */

static int
peekc(struct lex *x, size_t ahead) {
	return x->pos + ahead < x->len ? (unsigned char)x->s[x->pos + ahead] : -1;
}

static void
newline(struct lex *x) {
	/* \n, \r, \r\n and \n\r each count as one line, as in Lua */
	int c = peekc(x, 0);
	x->pos++;
	int d = peekc(x, 0);
	if ((d == '\n' || d == '\r') && d != c)
		x->pos++;
	x->line++;
}

/* at '[': returns the level (number of '=') of a long bracket, or -1 if it is not one */
static int
longbracket_level(struct lex *x) {
	size_t i = 1;
	while (peekc(x, i) == '=')
		i++;
	return peekc(x, i) == '[' ? (int)(i - 1) : -1;
}

/* reads [==[ ... ]==] at level; contents into tb (if keep); first newline skipped */
static int
longbracket(struct lex *x, int level, int keep, const char *what) {
	int startline = x->line;
	x->pos += level + 2;
	if (peekc(x, 0) == '\n' || peekc(x, 0) == '\r')
		newline(x);
	for (;;) {
		int c = peekc(x, 0);
		if (c < 0)
			return fail(x->L, x->file, startline, "unfinished long %s (starting here)", what);
		if (c == ']') {
			int i = 1;
			while (peekc(x, i) == '=')
				i++;
			if (i - 1 == level && peekc(x, i) == ']') {
				x->pos += i + 1;
				return 0;
			}
			if (keep)
				buf_push(&x->tb, x->s + x->pos, i);
			x->pos += i;
		} else if (c == '\n' || c == '\r') {
			newline(x);
			if (keep)
				buf_putc(&x->tb, '\n');
		} else {
			if (keep)
				buf_putc(&x->tb, (char)c);
			x->pos++;
		}
	}
}

static int
hexval(int c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
put_utf8(struct buf *b, unsigned long cp) {
	char u[4];
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_push(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_push(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_push(b, u, 4);
	}
}

static int
escape(struct lex *x) {
	int c = peekc(x, 1);
	int v, i;
	switch (c) {
	case 'a': v = '\a'; break;
	case 'b': v = '\b'; break;
	case 'f': v = '\f'; break;
	case 'n': v = '\n'; break;
	case 'r': v = '\r'; break;
	case 't': v = '\t'; break;
	case 'v': v = '\v'; break;
	case '\\': v = '\\'; break;
	case '"': v = '"'; break;
	case '\'': v = '\''; break;
	case '\n': case '\r':
		x->pos++;
		newline(x);
		buf_putc(&x->tb, '\n');
		return 0;
	case 'z':	/* skip the following white space, newlines included */
		x->pos += 2;
		while ((c = peekc(x, 0)) >= 0 && isspace(c)) {
			if (c == '\n' || c == '\r')
				newline(x);
			else
				x->pos++;
		}
		return 0;
	case 'x':
		if (hexval(peekc(x, 2)) < 0 || hexval(peekc(x, 3)) < 0)
			return fail(x->L, x->file, x->line, "hexadecimal digits expected after '\\x' in string");
		buf_putc(&x->tb, (char)(hexval(peekc(x, 2)) * 16 + hexval(peekc(x, 3))));
		x->pos += 4;
		return 0;
	case 'u': {
		unsigned long cp = 0;
		if (peekc(x, 2) != '{' || hexval(peekc(x, 3)) < 0)
			return fail(x->L, x->file, x->line, "missing '{' or digits in '\\u{XXX}' escape in string");
		for (i = 3; hexval(peekc(x, i)) >= 0; i++) {
			cp = cp * 16 + hexval(peekc(x, i));
			if (cp > 0x10ffff)
				return fail(x->L, x->file, x->line, "UTF-8 value too large in '\\u' escape in string");
		}
		if (peekc(x, i) != '}')
			return fail(x->L, x->file, x->line, "missing '}' in '\\u{XXX}' escape in string");
		put_utf8(&x->tb, cp);
		x->pos += i + 1;
		return 0;
	}
	default:
		if (c >= '0' && c <= '9') {	/* \ddd: up to three decimal digits */
			v = 0;
			for (i = 1; i <= 3 && (c = peekc(x, i)) >= '0' && c <= '9'; i++)
				v = v * 10 + (c - '0');
			if (v > 255)
				return fail(x->L, x->file, x->line, "decimal escape too large in string");
			buf_putc(&x->tb, (char)v);
			x->pos += i;
			return 0;
		}
		if (c < 0)
			return fail(x->L, x->file, x->line, "unfinished string");
		if (isprint(c))
			return fail(x->L, x->file, x->line, "invalid escape sequence '\\%c' in string", c);
		return fail(x->L, x->file, x->line, "invalid escape sequence '\\x%02x' in string", c);
	}
	buf_putc(&x->tb, (char)v);
	x->pos += 2;
	return 0;
}

static int
shortstring(struct lex *x) {
	int quote = peekc(x, 0);
	x->pos++;
	for (;;) {
		int c = peekc(x, 0);
		if (c < 0 || c == '\n' || c == '\r')
			return fail(x->L, x->file, x->tokline, "unfinished string (missing closing %c)", quote);
		if (c == quote) {
			x->pos++;
			return 0;
		}
		if (c == '\\') {
			if (escape(x))
				return -1;
		} else {
			buf_putc(&x->tb, (char)c);
			x->pos++;
		}
	}
}

static int
numeral(struct lex *x) {
	const char *expo = "Ee";
	if (peekc(x, 0) == '0' && (peekc(x, 1) == 'x' || peekc(x, 1) == 'X'))
		expo = "Pp";
	for (;;) {
		int c = peekc(x, 0);
		if (c < 0)
			break;
		if (strchr(expo, c) && (peekc(x, 1) == '+' || peekc(x, 1) == '-')) {
			buf_push(&x->tb, x->s + x->pos, 2);
			x->pos += 2;
		} else if (isalnum(c) || c == '.') {
			buf_putc(&x->tb, (char)c);
			x->pos++;
		} else {
			break;
		}
	}
	const char *t = x->tb.p;
	char *end;
	int hex = expo[0] == 'P';
	if (strspn(t + (hex ? 2 : 0), hex ? "0123456789abcdefABCDEF" : "0123456789") == strlen(t) - (hex ? 2 : 0)
	    && strlen(t) > (size_t)(hex ? 2 : 0)) {
		errno = 0;
		unsigned long long u = strtoull(t, &end, hex ? 16 : 10);
		if (hex || (errno == 0 && u <= (unsigned long long)LLONG_MAX)) {
			x->isint = 1;	/* hex integers wrap around, as in Lua */
			x->ival = (long long)u;
			return 0;
		}
	}
	errno = 0;
	x->dval = strtod(t, &end);
	if (*end != '\0' || end == t)
		return fail(x->L, x->file, x->tokline, "malformed number near '%s'", t);
	x->isint = 0;
	return 0;
}

static int
next(struct lex *x) {
	buf_reset(&x->tb);
	for (;;) {
		int c = peekc(x, 0);
		if (c == '\n' || c == '\r') {
			newline(x);
		} else if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
			x->pos++;
		} else if (c == '-' && peekc(x, 1) == '-') {
			x->pos += 2;
			int level;
			if (peekc(x, 0) == '[' && (level = longbracket_level(x)) >= 0) {
				if (longbracket(x, level, 0, "comment"))
					return -1;
			} else {
				while ((c = peekc(x, 0)) >= 0 && c != '\n' && c != '\r')
					x->pos++;
			}
		} else {
			break;
		}
	}
	x->tokline = x->line;
	int c = peekc(x, 0);
	if (c < 0) {
		x->tok = T_EOF;
		return 0;
	}
	if (isalpha(c) || c == '_') {
		size_t i = x->pos;
		while (x->pos < x->len && isnamechar((unsigned char)x->s[x->pos]))
			x->pos++;
		buf_push(&x->tb, x->s + i, x->pos - i);
		x->tok = T_NAME;
		return 0;
	}
	if (isdigit(c) || (c == '.' && peekc(x, 1) >= 0 && isdigit(peekc(x, 1)))) {
		x->tok = T_NUMBER;
		return numeral(x);
	}
	if (c == '"' || c == '\'') {
		x->tok = T_STRING;
		return shortstring(x);
	}
	if (c == '[') {
		int level = longbracket_level(x);
		if (level >= 0) {
			x->tok = T_STRING;
			return longbracket(x, level, 1, "string");
		}
	}
	if (c == '.' && peekc(x, 1) == '.' && peekc(x, 2) != '.') {
		x->pos += 2;
		buf_push(&x->tb, "..", 2);
		x->tok = T_CONCAT;
		return 0;
	}
	/* anything else is a one-character token, or an operator we only name in errors */
	static const char *ops[] = { "...", "==", "~=", "<=", ">=", "//", "::", "<<", ">>", NULL };
	int i;
	for (i = 0; ops[i]; i++) {
		size_t n = strlen(ops[i]);
		if (x->len - x->pos >= n && memcmp(x->s + x->pos, ops[i], n) == 0) {
			buf_push(&x->tb, ops[i], n);
			x->pos += n;
			x->tok = T_OP;
			return 0;
		}
	}
	x->pos++;
	if (isgraph(c)) {
		buf_putc(&x->tb, (char)c);
	} else {
		char hex[8];
		snprintf(hex, sizeof(hex), "\\x%02x", c);
		buf_push(&x->tb, hex, strlen(hex));
	}
	x->tok = strchr(";,=(){}-", c) && c ? c : T_OP;
	return 0;
}

/* how a token is named in messages */
static const char *
tokname(struct lex *x, char *tmp, size_t n) {
	switch (x->tok) {
	case T_EOF:
		return "end of file";
	case T_STRING:
		return "a string";
	case T_NUMBER:
		snprintf(tmp, n, "number '%s'", x->tb.p);
		return tmp;
	default:
		snprintf(tmp, n, "'%s'", x->tb.p);
		return tmp;
	}
}

static int
isreserved(const char *name) {
	int i;
	for (i = 0; reserved[i]; i++)
		if (strcmp(reserved[i], name) == 0)
			return 1;
	return 0;
}

/* ---- parser ------------------------------------------------------------------------- */

static void
fmtnum(struct buf *b, int isint, long long i, double d) {
	char tmp[64];
	if (isint) {
		snprintf(tmp, sizeof(tmp), "%lld", i);
	} else {
		/* Lua's "%.14g", plus ".0" when the result looks like an integer */
		snprintf(tmp, sizeof(tmp), "%.14g", d);
		if (tmp[strspn(tmp, "-0123456789")] == '\0')
			strcat(tmp, ".0");
	}
	buf_reset(b);
	buf_push(b, tmp, strlen(tmp));
}

static const char *typenames[] = { "nil", "boolean", "number", "string" };

static int
term(struct lex *x, const char *key, struct value *v) {
	char tmp[80];
	struct loader *L = x->L;
	buf_reset(&v->s);
	switch (x->tok) {
	case T_STRING:
		v->type = V_STR;
		buf_push(&v->s, x->tb.p, x->tb.n);
		return next(x);
	case T_NUMBER:
		v->type = V_NUM;
		fmtnum(&v->s, x->isint, x->ival, x->dval);
		return next(x);
	case '-':
		if (next(x))
			return -1;
		if (x->tok != T_NUMBER)
			return fail(L, x->file, x->tokline,
				"expressions are not supported (unary '-' before %s in value of '%s')",
				tokname(x, tmp, sizeof(tmp)), key);
		v->type = V_NUM;
		/* Lua negates integers with wrap-around; do it unsigned to stay defined */
		fmtnum(&v->s, x->isint, (long long)(0ULL - (unsigned long long)x->ival), -x->dval);
		return next(x);
	case '{':
		return fail(L, x->file, x->tokline, "tables are not supported (value of '%s')", key);
	case T_NAME: {
		const char *name = x->tb.p;
		if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
			v->type = V_BOOL;
			buf_push(&v->s, name, strlen(name));
			return next(x);
		}
		if (strcmp(name, "nil") == 0) {
			v->type = V_NIL;
			return next(x);
		}
		if (strcmp(name, "function") == 0)
			return fail(L, x->file, x->tokline, "functions are not supported (value of '%s')", key);
		if (isreserved(name))
			return fail(L, x->file, x->tokline, "expected a value for '%s', got '%s'", key, name);
		char *ref = strdup(name);
		int line = x->tokline;
		if (ref == NULL || next(x)) {
			free(ref);
			return -1;
		}
		if (x->tok == '(' || x->tok == T_STRING || x->tok == '{') {
			fail(L, x->file, line, "function calls are not supported ('%s' in value of '%s')", ref, key);
			free(ref);
			return -1;
		}
		struct kv *e = table_find(L, ref);
		if (e == NULL) {
			fail(L, x->file, line, "'%s' is not defined (value of '%s' may name only keys set before it)", ref, key);
			free(ref);
			return -1;
		}
		free(ref);
		v->type = e->type;
		buf_push(&v->s, e->val, e->len);
		return 0;
	}
	case T_EOF:
		return fail(L, x->file, x->tokline, "expected a value for '%s', got end of file", key);
	default:
		return fail(L, x->file, x->tokline, "expected a value for '%s', got %s", key, tokname(x, tmp, sizeof(tmp)));
	}
}

static int
expr(struct lex *x, const char *key, struct value *v) {
	char tmp[80];
	struct value r = { V_NIL, { NULL, 0, 0 } };
	int rc = term(x, key, v);
	while (rc == 0 && x->tok == T_CONCAT) {
		int line = x->tokline;
		if ((rc = next(x)) != 0 || (rc = term(x, key, &r)) != 0)
			break;
		int bad = v->type == V_STR || v->type == V_NUM ? r.type : v->type;
		if (bad != V_STR && bad != V_NUM) {
			rc = fail(x->L, x->file, line, "attempt to concatenate a %s value (value of '%s')",
				typenames[bad], key);
			break;
		}
		v->type = V_STR;
		buf_push(&v->s, r.s.p, r.s.n);
	}
	free(r.s.p);
	if (rc)
		return rc;
	switch (x->tok) {
	case T_EOF: case T_NAME: case ';': case ',':
		return 0;
	case T_OP: case '-':
		if (strspn(x->tb.p, "+-*/%^#&~|<>=") == x->tb.n)
			return fail(x->L, x->file, x->tokline,
				"expressions are not supported (operator '%s' in value of '%s')", x->tb.p, key);
		/* fall through */
	default:
		return fail(x->L, x->file, x->tokline, "unexpected %s after value of '%s'",
			tokname(x, tmp, sizeof(tmp)), key);
	}
}

static int loadfile(struct loader *L, const char *path, const char *incfile, int incline);

/* at the token after the name include; line: where the include is */
static int
include(struct lex *x, int line) {
	char tmp[80];
	int paren = x->tok == '(';
	if (paren && next(x))
		return -1;
	if (x->tok != T_STRING)
		return fail(x->L, x->file, x->tokline, "include expects a file name string, got %s",
			tokname(x, tmp, sizeof(tmp)));
	size_t n = strlen(x->dir) + x->tb.n + 1;
	char *path = malloc(n);
	if (path == NULL)
		abort();
	snprintf(path, n, "%s%s", x->tb.p[0] == '/' ? "" : x->dir, x->tb.p);
	int rc = next(x);
	if (rc == 0 && paren) {
		if (x->tok != ')')
			rc = fail(x->L, x->file, x->tokline, "expected ')' to close include, got %s",
				tokname(x, tmp, sizeof(tmp)));
		else
			rc = next(x);
	}
	if (rc == 0)
		rc = loadfile(x->L, path, x->file, line);
	free(path);
	return rc;
}

static int
statement(struct lex *x) {
	char tmp[80];
	switch (x->tok) {
	case ';': case ',':
		return next(x);
	case T_NAME:
		break;
	default:
		return fail(x->L, x->file, x->tokline, "expected a key name, got %s", tokname(x, tmp, sizeof(tmp)));
	}
	if (isreserved(x->tb.p))
		return fail(x->L, x->file, x->tokline,
			"unexpected '%s' (only 'key = value' and include are supported)", x->tb.p);
	char *key = strdup(x->tb.p);
	int line = x->tokline;
	if (key == NULL)
		abort();
	int rc = next(x);
	if (rc == 0 && strcmp(key, "include") == 0 && x->tok != '=') {
		free(key);
		return include(x, line);
	}
	if (rc == 0 && x->tok != '=')
		rc = fail(x->L, x->file, line, "expected '=' after key '%s'", key);
	if (rc == 0)
		rc = next(x);
	if (rc == 0) {
		struct value v = { V_NIL, { NULL, 0, 0 } };
		rc = expr(x, key, &v);
		if (rc == 0)
			table_set(x, key, &v, line);
		free(v.s.p);
	}
	free(key);
	return rc;
}

static char *
dirof(const char *path) {
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) + 1 : 0;
	char *d = malloc(n + 1);
	if (d == NULL)
		abort();
	memcpy(d, path, n);
	d[n] = '\0';
	return d;
}

/* incfile/incline: where the include came from (NULL for the top-level file) */
static int
loadfile(struct loader *L, const char *path, const char *incfile, int incline) {
	size_t len, slen;
	if (L->depth >= MAX_INCLUDE_DEPTH)
		return fail(L, incfile, incline, "includes nested deeper than %d (include loop?) at '%s'",
			MAX_INCLUDE_DEPTH, path);
	char *raw = readfile(path, &len);
	if (raw == NULL) {
		if (incfile)
			return fail(L, incfile, incline, "cannot open included file '%s': %s", path, strerror(errno));
		snprintf(L->err, L->errlen, "cannot open config file '%s': %s", path, strerror(errno));
		oneline(L->err);
		L->failed = 1;
		return -1;
	}
	char *src = substitute(L, path, raw, len, &slen);
	free(raw);
	if (src == NULL)
		return -1;
	struct lex x;
	memset(&x, 0, sizeof(x));
	x.L = L;
	x.file = path;
	x.dir = dirof(path);
	x.s = src;
	x.len = slen;
	x.line = 1;
	L->depth++;
	int rc = next(&x);
	while (rc == 0 && x.tok != T_EOF)
		rc = statement(&x);
	L->depth--;
	free((char *)x.dir);
	free(x.tb.p);
	free(src);
	return rc;
}

int
skynet_config_load(const char *path, char *err, size_t errlen) {
	struct loader L;
	char dummy[1];
	int i;
	memset(&L, 0, sizeof(L));
	L.err = errlen ? err : dummy;
	L.errlen = errlen ? errlen : sizeof(dummy);
	L.err[0] = '\0';
	int rc = loadfile(&L, path, NULL, 0);
	for (i = 0; rc == 0 && i < L.n; i++) {
		struct kv *e = &L.kv[i];
		if (strlen(e->val) != e->len)
			rc = fail(&L, e->where, 0, "value of '%s' contains a zero byte", e->key);
		else if (skynet_setenv(e->key, e->val))
			rc = fail(&L, e->where, 0, "key '%s' is already set in the environment", e->key);
	}
	for (i = 0; i < L.n; i++)
		kv_free(&L.kv[i]);
	free(L.kv);
	return rc;
}
