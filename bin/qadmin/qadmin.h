/*-------------------------------------------------------------------------
 *
 * qadmin.h
 *	  qadmin: the interactive PgQ console (see doc/qadmin.md).  Input is
 *	  cut into tokens (lexer.c), matched against the command grammar
 *	  (grammar.c: the same walk parses a command and lists what may come
 *	  next for completion), run (commands.c) and printed (output.c).
 *
 * IDENTIFICATION
 *	  bin/qadmin/qadmin.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef QADMIN_H
#define QADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#define QADMIN_VERSION "3.6"

/* ---- lexer.c ---- */
typedef enum TokType
{
	T_IDENT,  /* a name, dotted parts allowed: value unquoted, lower-cased
			   * unless quoted */
	T_STRING, /* '...', E'...', $$...$$: value unquoted */
	T_NUMBER,
	T_PARAM, /* $1 */
	T_SYMBOL /* one character, or an operator */
} TokType;

typedef struct Token
{
	TokType type;
	char *value;  /* as the command uses it */
	size_t start; /* offset of the token in the input */
	size_t end;	  /* offset after it */
	bool quoted;  /* an identifier with a quoted part */
} Token;

typedef struct TokList
{
	Token *t;
	int n, cap;
} TokList;

/*
 * Tokens of text into list (appended).  False with err (a string, quoted
 * identifier or dollar quote that does not end: *incomplete set).
 */
extern bool qa_lex(const char *text, TokList *list, bool *incomplete,
				   char *err, size_t errlen);
extern void qa_toks_free(TokList *list);

/*
 * The end of the first complete command in text (just after its ';'),
 * 0 when text holds no complete command yet.
 */
extern size_t qa_command_end(const char *text);

/* ---- grammar.c ---- */
typedef enum SlotKind
{
	S_NONE,
	S_QUEUE,
	S_CONSUMER,
	S_SUBCONSUMER,
	S_NODE,
	S_TICK,
	S_BATCH,
	S_TABLE,
	S_SEQUENCE,
	S_NEWTABLE,
	S_NEWSEQ,
	S_REGTABLE,
	S_REGSEQ,
	S_CONNKEY, /* dbname= host= ... */
	S_VALUE,   /* after a key= */
	S_QPARAM,  /* alter queue ... set KEY */
	S_TOPT,	   /* londiste add table ... with OPT */
	S_LOCATION,
	S_WORD
} SlotKind;

#define QA_MAX_VALUES 64

/* what a matched command holds */
typedef struct Cmd
{
	const struct CmdDef *def;
	int nvals;
	const char *key[QA_MAX_VALUES]; /* the name of each value */
	const char *val[QA_MAX_VALUES];
	const Token *tok[QA_MAX_VALUES];
} Cmd;

typedef struct Qadmin Qadmin;
typedef int (*CmdRun)(Qadmin *qa, Cmd *cmd);

/* expectations at the end of the tokens, for completion */
typedef struct Expect
{
	int nwords;
	const char *words[256]; /* keywords and symbols */
	int nslots;
	SlotKind slots[16];
	const char *slotkey[16]; /* for S_VALUE: the key */
} Expect;

typedef enum MatchResult
{
	M_OK,		  /* a whole command */
	M_NOMATCH,	  /* not one of ours: SQL */
	M_ERROR,	  /* one of ours, wrong further on */
	M_INCOMPLETE, /* one of ours, the tokens end before it does */
} MatchResult;

extern MatchResult qa_match(const char *src, const Token *toks, int ntoks,
							Cmd *cmd, Expect *exp, char *err, size_t errlen);
extern const char *qa_cmd_name(const Cmd *cmd);
extern const char *qa_cmd_value(const Cmd *cmd, const char *key);
extern int qa_cmd_values(const Cmd *cmd, const char *key, const char **out,
						 int max);
extern const char *const qa_first_words[];

/* ---- output.c ---- */
typedef enum OutFormat
{
	F_ALIGNED,
	F_EXPANDED,
	F_CSV,
	F_JSON
} OutFormat;

extern void qa_print_result(Qadmin *qa, PGresult *res);

/* ---- the session ---- */
struct Qadmin
{
	PGconn *db;
	char *queue;   /* the default queue */
	char *connstr; /* the current connection's keys (no password) */
	char dbname[256];
	int server_version;
	char pgq_version[64];
	OutFormat format;
	bool interactive;
	bool on_error_stop;
	bool quiet;
	int errors;
	int exit_requested;
};

/* ---- commands.c ---- */
extern int qa_run_line(Qadmin *qa, const char *text, size_t len);
extern bool qa_connect(Qadmin *qa, const char *connstr, bool verbose);
extern bool qa_has_schema(Qadmin *qa, const char *schema);
extern void qa_banner(Qadmin *qa);
extern PGresult *qa_exec(Qadmin *qa, const char *sql, int nparams,
						 const char *const *params);
extern void qa_error(Qadmin *qa, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
extern void qa_invalidate_cache(void);

/* ---- complete.c ---- */
extern void qa_complete_init(Qadmin *qa);
extern char **qa_candidates(Qadmin *qa, const char *line, size_t point,
							size_t *word_start);

#endif /* QADMIN_H */
