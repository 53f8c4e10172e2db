/*-------------------------------------------------------------------------
 *
 * lexer.c
 *	  qadmin's tokens, with PostgreSQL's quoting rules (standard
 *	  conforming strings): names (dotted parts, "quoted" parts, unquoted
 *	  ones lower-cased), strings ('..' with '' inside, E'..' with
 *	  backslash escapes, $tag$..$tag$), numbers (digits and dots, so that
 *	  an IPv4 address is one token), $n and one-character symbols.
 *	  Comments (-- and nested slash-star) and blanks separate tokens.
 *
 * IDENTIFICATION
 *	  bin/qadmin/lexer.c
 *
 *-------------------------------------------------------------------------
 */
#include "qadmin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Buf
{
	char *s;
	size_t len, cap;
} Buf;

static void
buf_add(Buf *b, char c)
{
	if (b->len + 2 > b->cap)
	{
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			abort();
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static bool
ident_start(char c)
{
	return isalpha((unsigned char) c) || c == '_' || (unsigned char) c >= 0x80;
}

static bool
ident_char(char c)
{
	return ident_start(c) || isdigit((unsigned char) c) || c == '$';
}

typedef enum Scan
{
	SC_TOKEN,
	SC_END,
	SC_INCOMPLETE,
	SC_ERROR
} Scan;

/*
 * The token at *pos (blanks and comments skipped first): its type, value
 * (malloc'd, or NULL when value is NULL) and span; *pos after it.
 */
static Scan
scan(const char *s, size_t *pos, Token *tok, bool want_value, char *err,
	 size_t errlen)
{
	size_t i = *pos;
	Buf b = {NULL, 0, 0};

	for (;;)
	{
		while (isspace((unsigned char) s[i]))
			i++;
		if (s[i] == '-' && s[i + 1] == '-')
		{
			while (s[i] && s[i] != '\n')
				i++;
			continue;
		}
		if (s[i] == '/' && s[i + 1] == '*')
		{
			int depth = 1;

			i += 2;
			while (s[i] && depth > 0)
			{
				if (s[i] == '/' && s[i + 1] == '*')
					depth++, i += 2;
				else if (s[i] == '*' && s[i + 1] == '/')
					depth--, i += 2;
				else
					i++;
			}
			if (depth > 0)
			{
				snprintf(err, errlen, "unterminated comment");
				return SC_INCOMPLETE;
			}
			continue;
		}
		break;
	}
	if (s[i] == '\0')
	{
		*pos = i;
		return SC_END;
	}
	memset(tok, 0, sizeof(*tok));
	tok->start = i;
	if (ident_start(s[i]) &&
		!((s[i] == 'E' || s[i] == 'e') && s[i + 1] == '\''))
		goto ident;
	if (s[i] == '"')
		goto ident;
	if (s[i] == '\'' || ((s[i] == 'E' || s[i] == 'e') && s[i + 1] == '\''))
	{
		bool esc = s[i] != '\'';

		i += esc ? 2 : 1;
		for (;;)
		{
			if (s[i] == '\0')
			{
				free(b.s);
				snprintf(err, errlen, "unterminated string");
				return SC_INCOMPLETE;
			}
			if (s[i] == '\'' && s[i + 1] == '\'')
			{
				buf_add(&b, '\'');
				i += 2;
				continue;
			}
			if (s[i] == '\'')
			{
				i++;
				break;
			}
			if (esc && s[i] == '\\' && s[i + 1])
			{
				char c = s[i + 1];

				buf_add(&b, c == 'n'   ? '\n'
							: c == 't' ? '\t'
							: c == 'r' ? '\r'
									   : c);
				i += 2;
				continue;
			}
			buf_add(&b, s[i++]);
		}
		tok->type = T_STRING;
		goto done;
	}
	if (s[i] == '$')
	{
		size_t j = i + 1;

		if (isdigit((unsigned char) s[j]))
		{
			while (isdigit((unsigned char) s[j]))
				j++;
			tok->type = T_PARAM;
			for (; i < j; i++)
				buf_add(&b, s[i]);
			goto done;
		}
		while (ident_start(s[j]) || isdigit((unsigned char) s[j]))
			j++;
		if (s[j] == '$')
		{
			size_t taglen = j - i + 1;
			const char *endq;
			char tag[128];

			if (taglen >= sizeof(tag))
			{
				snprintf(err, errlen, "dollar quote tag too long");
				return SC_ERROR;
			}
			memcpy(tag, s + i, taglen);
			tag[taglen] = '\0';
			endq = strstr(s + j + 1, tag);
			if (endq == NULL)
			{
				snprintf(err, errlen, "unterminated dollar-quoted string");
				return SC_INCOMPLETE;
			}
			for (i = j + 1; s + i < endq; i++)
				buf_add(&b, s[i]);
			i += taglen;
			tok->type = T_STRING;
			goto done;
		}
	}
	if (isdigit((unsigned char) s[i]) ||
		(s[i] == '.' && isdigit((unsigned char) s[i + 1])))
	{
		while (isdigit((unsigned char) s[i]) || s[i] == '.' ||
			   ((s[i] == 'e' || s[i] == 'E') &&
				(isdigit((unsigned char) s[i + 1]) ||
				 ((s[i + 1] == '-' || s[i + 1] == '+') &&
				  isdigit((unsigned char) s[i + 2])))))
		{
			if (s[i] == 'e' || s[i] == 'E')
				buf_add(&b, s[i++]);
			buf_add(&b, s[i++]);
		}
		tok->type = T_NUMBER;
		goto done;
	}
	/* a symbol */
	buf_add(&b, s[i++]);
	tok->type = T_SYMBOL;
	goto done;

ident:
	for (;;)
	{
		if (s[i] == '"')
		{
			i++;
			tok->quoted = true;
			for (;;)
			{
				if (s[i] == '\0')
				{
					free(b.s);
					snprintf(err, errlen, "unterminated quoted identifier");
					return SC_INCOMPLETE;
				}
				if (s[i] == '"' && s[i + 1] == '"')
				{
					buf_add(&b, '"');
					i += 2;
					continue;
				}
				if (s[i] == '"')
				{
					i++;
					break;
				}
				buf_add(&b, s[i++]);
			}
		}
		else if (ident_start(s[i]))
		{
			while (ident_char(s[i]))
				buf_add(&b, (char) tolower((unsigned char) s[i++]));
		}
		else
			break;
		/* a dot and another part make one dotted name */
		if (s[i] == '.' && (ident_start(s[i + 1]) || s[i + 1] == '"'))
		{
			buf_add(&b, '.');
			i++;
			continue;
		}
		break;
	}
	tok->type = T_IDENT;
done:
	tok->end = i;
	*pos = i;
	if (want_value)
		tok->value = b.s ? b.s : strdup("");
	else
		free(b.s);
	return SC_TOKEN;
}

bool
qa_lex(const char *text, TokList *list, bool *incomplete, char *err,
	   size_t errlen)
{
	size_t pos = 0;

	*incomplete = false;
	for (;;)
	{
		Token tok;
		Scan r = scan(text, &pos, &tok, true, err, errlen);

		if (r == SC_END)
			return true;
		if (r != SC_TOKEN)
		{
			*incomplete = r == SC_INCOMPLETE;
			return false;
		}
		if (list->n == list->cap)
		{
			list->cap = list->cap ? list->cap * 2 : 32;
			list->t = realloc(list->t, sizeof(Token) * (size_t) list->cap);
			if (list->t == NULL)
				abort();
		}
		list->t[list->n++] = tok;
	}
}

void
qa_toks_free(TokList *list)
{
	int i;

	for (i = 0; i < list->n; i++)
		free(list->t[i].value);
	free(list->t);
	list->t = NULL;
	list->n = list->cap = 0;
}

size_t
qa_command_end(const char *text)
{
	size_t pos = 0;
	char err[128];

	for (;;)
	{
		Token tok;
		Scan r = scan(text, &pos, &tok, false, err, sizeof(err));

		if (r == SC_ERROR)
			return strlen(text); /* run as it is: the error is said then */
		if (r != SC_TOKEN)
			return 0;
		if (tok.type == T_SYMBOL && text[tok.start] == ';')
			return tok.end;
	}
}
