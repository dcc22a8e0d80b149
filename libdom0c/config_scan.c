/*
 * config_scan.c - finds the keys of a dom0c.conf text, so that unknown
 * ones can be rejected (libxlutil keeps its settings private).
 */
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * The key scanner.  libxlutil keeps its settings private, so to reject
 * unknown keys we find them in the text: the identifier token last
 * seen before a '=' (or '+=') at list depth 0.  Comments run to the end
 * of the line, quoted strings end at their quote (or the line), and a
 * newline inside [ ] does not end the statement.
 */
struct scan {
    const char *t;
    size_t len, i;
    unsigned line, depth;
    const char *tok;        /* last identifier of this statement */
    size_t toklen;
    unsigned tokline;
};

static bool is_ident(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

static void skip_string(struct scan *s)
{
    char q = s->t[s->i++];

    while (s->i < s->len && s->t[s->i] != q && s->t[s->i] != '\n') {
        if (s->t[s->i] == '\\' && s->i + 1 < s->len &&
            s->t[s->i + 1] != '\n')
            s->i++;
        s->i++;
    }
    if (s->i < s->len && s->t[s->i] == q)
        s->i++;
}

static void take_ident(struct scan *s)
{
    size_t start = s->i;

    while (s->i < s->len && is_ident(s->t[s->i]))
        s->i++;
    if (!s->depth) {
        s->tok = s->t + start;
        s->toklen = s->i - start;
        s->tokline = s->line;
    }
}

/* One punctuation character; returns fn's value at a '='. */
static int scan_punct(struct scan *s, char ch, d0_config_key_fn *fn,
                      void *arg)
{
    const char *tok = s->tok;

    switch (ch) {
    case '\n':
        s->line++;
        if (!s->depth)
            s->tok = NULL;
        return 0;
    case '[':
        s->depth++;
        s->tok = NULL;
        return 0;
    case ']':
        if (s->depth)
            s->depth--;
        return 0;
    case '=':
        s->tok = NULL;
        return !s->depth && tok ? fn(tok, s->toklen, s->tokline, arg) : 0;
    case '+': case ' ': case '\t': case '\r':
        return 0;
    default:                /* ';', ',' and anything unexpected */
        s->tok = NULL;
        return 0;
    }
}

int d0_config_scan_keys(const char *text, size_t len, d0_config_key_fn *fn,
                        void *arg)
{
    struct scan s = { .t = text, .len = len, .line = 1 };
    int rc;

    while (s.i < s.len) {
        char ch = s.t[s.i];

        if (ch == '#') {
            while (s.i < s.len && s.t[s.i] != '\n')
                s.i++;
        } else if (ch == '"' || ch == '\'') {
            skip_string(&s);
            s.tok = NULL;
        } else if (is_ident(ch)) {
            take_ident(&s);
        } else {
            s.i++;
            if ((rc = scan_punct(&s, ch, fn, arg)))
                return rc;
        }
    }
    return 0;
}

