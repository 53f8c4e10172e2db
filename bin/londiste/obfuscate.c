/*-------------------------------------------------------------------------
 *
 * obfuscate.c
 *	  The obfuscate handler: every column of the table's rows, copied or
 *	  replayed, goes through its rule from the obfuscator_map YAML file
 *	  before it reaches this node:
 *
 *		schema.table:
 *		  id: keep			the value as it is
 *		  email: hash		keyed BLAKE2s, shown as a UUID
 *		  score: hash32		... as a signed 32-bit integer
 *		  big: hash64		... as a signed 64-bit integer
 *		  flag: bool		... as true or false
 *		  note: skip		not sent (the column gets its default)
 *		  data:				a JSON object: the rules for its keys
 *			user: hash
 *
 *	The key is obfuscator_key (ini).  A column (or JSON key) without a
 *	rule is not sent: nothing reaches the node unless a rule says how.
 *	NULL stays NULL.  A hashed key column stays a key (the hash is
 *	deterministic), so updates and deletes find their rows.
 *
 * IDENTIFICATION
 *	  bin/londiste/obfuscate.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <yaml.h>

#include "londiste.h"

/* A rule: a word, or (for JSON) rules per key. */
typedef struct Rule
{
	char *name; /* column or JSON key */
	char *kind; /* keep, skip, hash, hash32, hash64, bool; NULL: nested */
	struct Rule *sub;
	int nsub;
} Rule;

typedef struct ObfState
{
	Rule *cols;
	int ncols;
	unsigned char key[32];
	size_t keylen;
	char **warned; /* columns without a rule, logged once */
	int nwarned;
	/* the last event passed on (copy_event) */
	char **cp_owned;
	const char **cp_cols, **cp_vals;
	int cp_n;
} ObfState;

static const char *const kinds[] = {"keep",	  "skip", "hash", "hash32",
									"hash64", "bool", NULL};

static void
rules_free(Rule *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
	{
		free(r[i].name);
		free(r[i].kind);
		rules_free(r[i].sub, r[i].nsub);
	}
	free(r);
}

/* A YAML mapping node into rules; false with err. */
static bool
load_rules(yaml_document_t *doc, yaml_node_t *map, Rule **out, int *nout,
		   const char *where, char *err, size_t errlen)
{
	yaml_node_pair_t *p;

	if (map->type != YAML_MAPPING_NODE)
	{
		snprintf(err, errlen,
				 "obfuscator_map: %s: expected a mapping of "
				 "column: rule",
				 where);
		return false;
	}
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
		 p++)
	{
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		Rule *r;

		if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE)
		{
			snprintf(err, errlen, "obfuscator_map: %s: bad entry", where);
			return false;
		}
		*out = realloc(*out, (*nout + 1) * sizeof(Rule));
		r = &(*out)[(*nout)++];
		memset(r, 0, sizeof(*r));
		r->name = strdup((char *) k->data.scalar.value);
		if (v->type == YAML_SCALAR_NODE)
		{
			const char *w = (const char *) v->data.scalar.value;
			bool ok = false;

			for (int i = 0; kinds[i]; i++)
				ok = ok || strcmp(kinds[i], w) == 0;
			if (!ok)
			{
				snprintf(err, errlen,
						 "obfuscator_map: %s.%s: unknown rule \"%s\" (keep, "
						 "skip, hash, hash32, hash64, bool, or a mapping)",
						 where, r->name, w);
				return false;
			}
			r->kind = strdup(w);
		}
		else
		{
			char sub[512];

			snprintf(sub, sizeof(sub), "%s.%s", where, r->name);
			if (!load_rules(doc, v, &r->sub, &r->nsub, sub, err, errlen))
				return false;
		}
	}
	return true;
}

static bool
obf_init(LdhTable *t, char *err, size_t errlen)
{
	const char *file = ldh_config("obfuscator_map");
	const char *key = ldh_config("obfuscator_key");
	FILE *f;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	ObfState *s;
	bool ok = false, found = false;

	if (file == NULL || !file[0])
	{
		snprintf(err, errlen,
				 "handler obfuscate: obfuscator_map is not set "
				 "in the ini");
		return false;
	}
	f = fopen(file, "r");
	if (f == NULL)
	{
		snprintf(err, errlen, "obfuscator_map %s: %m", file);
		return false;
	}
	s = calloc(1, sizeof(ObfState));
	t->state = s;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc))
	{
		snprintf(err, errlen, "obfuscator_map %s: line %zu: %s", file,
				 parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "cannot parse");
		yaml_parser_delete(&parser);
		fclose(f);
		return false;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE)
		snprintf(err, errlen,
				 "obfuscator_map %s: expected a mapping of "
				 "table: columns",
				 file);
	else
	{
		ok = true;
		for (p = root->data.mapping.pairs.start;
			 ok && p < root->data.mapping.pairs.top; p++)
		{
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			yaml_node_t *v = yaml_document_get_node(&doc, p->value);

			if (k && k->type == YAML_SCALAR_NODE &&
				(strcmp((char *) k->data.scalar.value, t->table) == 0 ||
				 strcmp((char *) k->data.scalar.value, t->dest) == 0) &&
				!found)
			{
				found = true;
				ok = load_rules(&doc, v, &s->cols, &s->ncols, t->table, err,
								errlen);
			}
		}
		if (ok && !found)
		{
			snprintf(err, errlen, "obfuscator_map %s: no rules for table %s",
					 file, t->table);
			ok = false;
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (!ok)
		return false;
	/* a key longer than BLAKE2s takes is hashed down to 32 bytes */
	key = key ? key : "";
	if (strlen(key) <= sizeof(s->key))
	{
		s->keylen = strlen(key);
		memcpy(s->key, key, s->keylen);
	}
	else
	{
		unsigned int n = 0;

		EVP_Digest(key, strlen(key), s->key, &n, EVP_blake2s256(), NULL);
		s->keylen = n;
	}
	return true;
}

/* Keyed BLAKE2s of a value: 32 bytes into out. */
static bool
obf_hash(const ObfState *s, const char *v, unsigned char out[32])
{
	if (s->keylen == 0)
	{
		unsigned int n = 0;

		return EVP_Digest(v, strlen(v), out, &n, EVP_blake2s256(), NULL) == 1;
	}
	{
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
		EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
		size_t n = 0;
		bool ok =
			ctx && EVP_MAC_init(ctx, s->key, s->keylen, NULL) == 1 &&
			EVP_MAC_update(ctx, (const unsigned char *) v, strlen(v)) == 1 &&
			EVP_MAC_final(ctx, out, &n, 32) == 1 && n == 32;

		EVP_MAC_CTX_free(ctx);
		EVP_MAC_free(mac);
		return ok;
	}
}

/* A value under a rule's word: malloc'd text, or NULL when out of luck. */
static char *
obf_value(const ObfState *s, const char *kind, const char *v)
{
	unsigned char h[32];
	char *out = malloc(48);
	uint64_t u = 0;
	int i;

	if (strcmp(kind, "keep") == 0)
	{
		free(out);
		return strdup(v);
	}
	if (!obf_hash(s, v, h))
	{
		free(out);
		return NULL;
	}
	for (i = 0; i < 8; i++)
		u = (u << 8) | h[i];
	if (strcmp(kind, "hash") == 0)
		snprintf(
			out, 48,
			"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%"
			"02x%02x",
			h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10],
			h[11], h[12], h[13], h[14], h[15]);
	else if (strcmp(kind, "hash32") == 0)
		snprintf(out, 48, "%d", (int32_t) (uint32_t) (u >> 32));
	else if (strcmp(kind, "hash64") == 0)
		snprintf(out, 48, "%lld", (long long) (int64_t) u);
	else
		snprintf(out, 48, "%s", (h[0] & 1) ? "true" : "false");
	return out;
}

/* A JSON value under nested rules; NULL: drop it. */
static json_t *
obf_json(const ObfState *s, const Rule *r, int n, json_t *in)
{
	json_t *out;
	const char *k;
	json_t *v;
	int i;

	if (!json_is_object(in))
		return NULL;
	out = json_object();
	json_object_foreach(in, k, v)
	{
		const Rule *rule = NULL;

		for (i = 0; i < n; i++)
			if (strcmp(r[i].name, k) == 0)
				rule = &r[i];
		if (rule == NULL || (rule->kind && strcmp(rule->kind, "skip") == 0))
			continue;
		if (rule->kind == NULL)
		{
			json_t *sub = obf_json(s, rule->sub, rule->nsub, v);

			if (sub)
				json_object_set_new(out, k, sub);
		}
		else if (strcmp(rule->kind, "keep") == 0 || json_is_null(v))
			json_object_set(out, k, v);
		else
		{
			char *txt = json_is_string(v)
							? strdup(json_string_value(v))
							: json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			char *h = txt ? obf_value(s, rule->kind, txt) : NULL;

			if (h == NULL)
				json_object_set_new(out, k, json_null());
			else if (strcmp(rule->kind, "hash") == 0)
				json_object_set_new(out, k, json_string(h));
			else if (strcmp(rule->kind, "bool") == 0)
				json_object_set_new(out, k, json_boolean(h[0] == 't'));
			else
				json_object_set_new(out, k, json_integer(atoll(h)));
			free(txt);
			free(h);
		}
	}
	return out;
}

/*
 * A row through the rules into out (arrays of in->ncols; the values made
 * are in owned[], in's order): 0, or -1 with a logged error.
 */
static int
obf_row(LdhTable *t, const LdhEvent *ev, const LdhRow *in, LdhRow *out,
		char **owned)
{
	ObfState *s = t->state;
	int i, j;

	out->ncols = 0;
	for (i = 0; i < in->ncols; i++)
	{
		const Rule *r = NULL;
		const char *v = in->vals[i];

		for (j = 0; j < s->ncols; j++)
			if (strcmp(s->cols[j].name, in->cols[i]) == 0)
				r = &s->cols[j];
		if (r == NULL)
		{
			bool seen = false;

			for (j = 0; j < s->nwarned; j++)
				seen = seen || strcmp(s->warned[j], in->cols[i]) == 0;
			if (!seen)
			{
				ldh_log(LDH_WARNING,
						"obfuscate: %s.%s has no rule in obfuscator_map: not "
						"sent",
						t->table, in->cols[i]);
				s->warned =
					realloc(s->warned, (s->nwarned + 1) * sizeof(char *));
				s->warned[s->nwarned++] = strdup(in->cols[i]);
			}
			continue;
		}
		if (r->kind && strcmp(r->kind, "skip") == 0)
			continue;
		out->cols[out->ncols] = in->cols[i];
		if (v == NULL)
		{
			out->vals[out->ncols++] = NULL;
			continue;
		}
		if (r->kind == NULL)
		{
			json_error_t je;
			json_t *js = json_loads(v, JSON_DECODE_ANY, &je);
			json_t *o = js ? obf_json(s, r->sub, r->nsub, js) : NULL;

			owned[i] =
				o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
			json_decref(js);
			json_decref(o);
			if (owned[i] == NULL)
			{
				ldh_log(LDH_ERROR,
						"obfuscate: event %lld: %s.%s is not a JSON object",
						(long long) ev->id, t->table, in->cols[i]);
				return -1;
			}
		}
		else
		{
			owned[i] = obf_value(s, r->kind, v);
			if (owned[i] == NULL)
			{
				ldh_log(LDH_ERROR, "obfuscate: hashing failed (OpenSSL "
								   "without BLAKE2s?)");
				return -1;
			}
		}
		out->vals[out->ncols++] = owned[i];
	}
	return 0;
}

static void
free_owned(char **owned, int n)
{
	for (int i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
}

static int
obf_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	const LdhRow *in = ev->row;
	const char **cols = calloc(in->ncols + 1, sizeof(char *));
	const char **vals = calloc(in->ncols + 1, sizeof(char *));
	char **owned = calloc(in->ncols + 1, sizeof(char *));
	LdhRow out = {0, cols, vals};
	const char *keys[64];
	int i, j, nkeys = 0, rc = -1;

	if (obf_row(t, ev, in, &out, owned) < 0)
		goto out;
	/* the key columns that went (hashed keys stay keys) */
	for (i = 0; i < ev->nkeys && nkeys < 64; i++)
		for (j = 0; j < out.ncols; j++)
			if (strcmp(ev->keys[i], cols[j]) == 0)
				keys[nkeys++] = ev->keys[i];
	if (ev->op != 'I' && nkeys < ev->nkeys)
	{
		ldh_log(LDH_ERROR,
				"obfuscate: %s: a key column is skipped: updates and deletes "
				"cannot find their rows",
				t->table);
		goto out;
	}
	rc = ldh_emit(ap, NULL, ev->op, nkeys, keys, &out);
out:
	free_owned(owned, in->ncols);
	free(cols);
	free(vals);
	return rc;
}

/* A branch passes the events on obfuscated too. */
static int
obf_copy_event(LdhTable *t, const LdhEvent *ev, LdhRow *out)
{
	ObfState *s = t->state;
	const LdhRow *in = ev->row;

	free_owned(s->cp_owned, s->cp_n);
	free(s->cp_cols);
	free(s->cp_vals);
	s->cp_n = in->ncols;
	s->cp_owned = calloc(in->ncols + 1, sizeof(char *));
	s->cp_cols = calloc(in->ncols + 1, sizeof(char *));
	s->cp_vals = calloc(in->ncols + 1, sizeof(char *));
	out->cols = s->cp_cols;
	out->vals = s->cp_vals;
	return obf_row(t, ev, in, out, s->cp_owned) < 0 ? -1 : 1;
}

static void
obf_free(LdhTable *t)
{
	ObfState *s = t->state;
	int i;

	if (s == NULL)
		return;
	rules_free(s->cols, s->ncols);
	free_owned(s->cp_owned, s->cp_n);
	free(s->cp_cols);
	free(s->cp_vals);
	for (i = 0; i < s->nwarned; i++)
		free(s->warned[i]);
	free(s->warned);
	OPENSSL_cleanse(s->key, sizeof(s->key));
	free(s);
}

const LdhDef ld_obfuscate_handler = {
	.name = "obfuscate",
	.summary = "columns hashed or masked by the rules of obfuscator_map "
			   "(copy and replay)",
	.params = (const char *const[]){"ignore_truncate", NULL},
	.details =
		(const char *const[]){
			"obfuscator_map (ini): YAML, table: {column: keep|skip|hash|"
			"hash32|hash64|bool|{json key: rule}}",
			"obfuscator_key (ini): the key of the keyed BLAKE2s hash",
			"a column without a rule is not sent",
			"a branch passes its events on obfuscated too", NULL},
	.flags = LDH_COPY_ROWS,
	.init = obf_init,
	.event = obf_event,
	.free = obf_free,
	.copy_event = obf_copy_event,
};
