/*-------------------------------------------------------------------------
 *
 * handler.c
 *	  Table handlers: the registry (built-in ones and those of the
 *	  handler_modules shared libraries), the handler=NAME(ARGS) table
 *	  attribute, argument checks, show-handlers and change-handler.
 *
 * The attribute is stored as upstream stores it: table_attrs is
 * urlencoded and its handler value is NAME or NAME(ARGS), ARGS being
 * urlencoded k=v pairs ('&' or ',' between them when read).
 *
 * IDENTIFICATION
 *	  bin/londiste/handler.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "londiste.h"
#include "skytools/log.h"
#include "skytools/rowdata.h"
#include "urlenc.h"

static const LdhDef **plugins;
static int nplugins;
static bool plugins_loaded;

/* Load the shared libraries of handler_modules (once). */
static bool
load_plugins(Ld *ld)
{
	char *list, *p, *save = NULL;

	if (plugins_loaded)
		return true;
	plugins_loaded = true;
	if (ld->cfg.handler_modules == NULL || !ld->cfg.handler_modules[0])
		return true;
	list = strdup(ld->cfg.handler_modules);
	for (p = strtok_r(list, ", \t", &save); p;
		 p = strtok_r(NULL, ", \t", &save))
	{
		void *dl;
		const int *abi;
		const LdhDef *const *defs;

		/* upstream's Python module names (londiste.handlers.x) are not ours */
		if (strchr(p, '/') == NULL && strstr(p, ".so") == NULL)
		{
			log_warning("handler_modules: %s is not a shared library, ignored "
						"(built-in handlers need no module)",
						p);
			continue;
		}
		dl = dlopen(p, RTLD_NOW | RTLD_LOCAL);
		if (dl == NULL)
		{
			log_error("handler_modules: %s", dlerror());
			free(list);
			return false;
		}
		abi = dlsym(dl, "londiste_handler_abi");
		defs = dlsym(dl, "londiste_handlers");
		if (abi == NULL || defs == NULL || *abi != LDH_ABI_VERSION)
		{
			log_error("handler_modules: %s: no londiste_handlers of ABI "
					  "version %d",
					  p, LDH_ABI_VERSION);
			free(list);
			return false;
		}
		for (; *defs; defs++)
		{
			plugins = realloc(plugins, (nplugins + 1) * sizeof(*plugins));
			plugins[nplugins++] = *defs;
			log_debug("handler %s from %s", (*defs)->name, p);
		}
	}
	free(list);
	return true;
}

/*
 * urlencode as Python's urllib does (upper-case hex): table_attrs are
 * written by Python Londiste too.
 */
size_t
ld_attr_encode(char *dst, const char *src)
{
	size_t n = sky_urlencode(dst, src, strlen(src)), i;

	for (i = 0; i + 2 < n + 1; i++)
		if (dst[i] == '%' && i + 2 < n)
		{
			dst[i + 1] = (char) toupper((unsigned char) dst[i + 1]);
			dst[i + 2] = (char) toupper((unsigned char) dst[i + 2]);
		}
	dst[n] = '\0';
	return n;
}

const LdhDef *
ld_handler_find(Ld *ld, const char *name)
{
	int i;

	if (!load_plugins(ld))
		return NULL;
	for (i = 0; i < nplugins; i++)
		if (strcmp(plugins[i]->name, name) == 0)
			return plugins[i];
	for (i = 0; ld_builtin_handlers[i]; i++)
		if (strcmp(ld_builtin_handlers[i]->name, name) == 0)
			return ld_builtin_handlers[i];
	return ld_handler_preset(name);
}

/* "NAME" or "NAME(ARGS)" into the name and decoded args; false on bad
 * syntax. */
static bool
split_spec(const char *spec, char **name, SkyRow *args, char *err,
		   size_t errlen)
{
	const char *open = strchr(spec, '(');
	char *a;
	size_t n;
	bool ok;

	memset(args, 0, sizeof(*args));
	if (open == NULL)
	{
		*name = strdup(spec);
		return true;
	}
	n = strlen(open + 1);
	if (n == 0 || open[n] != ')')
	{
		snprintf(err, errlen, "handler \"%s\": unbalanced parentheses", spec);
		return false;
	}
	*name = strndup(spec, (size_t) (open - spec));
	a = strndup(open + 1, n - 1);
	for (char *c = a; *c; c++)
		if (*c == ',')
			*c = '&';
	ok = sky_row_decode(args, a, strlen(a), SKY_ROW_NO_NULLS, err, errlen);
	free(a);
	if (!ok)
		free(*name);
	return ok;
}

/* Make a handler of def with these args; NULL with err when refused. */
static LdhTable *
instantiate(const LdhDef *def, const char *name, const char *table,
			const char *dest, const SkyRow *args, char *err, size_t errlen)
{
	LdhTable *t = calloc(1, sizeof(LdhTable));
	SkyRow pre = {0};
	int i, j;

	t->def = def;
	t->table = strdup(table);
	t->dest = strdup(dest ? dest : table);
	if (strcmp(name, def->name) != 0)
	{
		/* a preset: its settings first, the user's arguments after them */
		const char *pa = ld_handler_preset_args(name);

		sky_row_decode(&pre, pa, strlen(pa), 0, err, errlen);
	}
	t->argk = calloc(args->nfields + pre.nfields + 1, sizeof(char *));
	t->argv = calloc(args->nfields + pre.nfields + 1, sizeof(char *));
	for (i = 0; i < pre.nfields; i++)
	{
		t->argk[t->nargs] = strdup(pre.fields[i].key);
		t->argv[t->nargs++] = strdup(pre.fields[i].value);
	}
	sky_row_free(&pre);
	for (i = 0; i < args->nfields; i++)
	{
		const char *k = args->fields[i].key;
		bool known = false;

		for (j = 0; def->params && def->params[j]; j++)
			known = known || strcmp(def->params[j], k) == 0 ||
					strcmp(def->params[j], "*") == 0;
		if (!known)
		{
			char list[512];
			size_t n = 0;

			list[0] = '\0';
			for (j = 0; def->params && def->params[j] && n < sizeof(list); j++)
				n += snprintf(list + n, sizeof(list) - n, "%s%s",
							  j ? ", " : "", def->params[j]);
			snprintf(err, errlen,
					 "handler %s: unknown argument \"%s\" (it takes: %s)",
					 def->name, k, list[0] ? list : "no arguments");
			ld_handler_close(t);
			return NULL;
		}
		t->argk[t->nargs] = strdup(k);
		t->argv[t->nargs++] =
			strdup(args->fields[i].value ? args->fields[i].value : "");
	}
	if (def->init && !def->init(t, err, errlen))
	{
		ld_handler_close(t);
		return NULL;
	}
	return t;
}

/*
 * The handler of a table from its table_attrs (urlencoded); NULL with err
 * empty for the default handler, NULL with err when it cannot be made
 * (an unknown handler or argument on this node).
 */
LdhTable *
ld_handler_open(Ld *ld, const char *table, const char *dest,
				const char *table_attrs, char *err, size_t errlen)
{
	SkyRow attrs, args;
	const SkyRowField *h;
	const LdhDef *def;
	LdhTable *t = NULL;
	char *name = NULL;

	err[0] = '\0';
	if (table_attrs == NULL || !table_attrs[0])
		return NULL;
	if (!sky_row_decode(&attrs, table_attrs, strlen(table_attrs), 0, err,
						errlen))
	{
		sky_row_free(&attrs);
		return NULL;
	}
	h = sky_row_field(&attrs, "handler");
	if (h == NULL || h->value == NULL || !h->value[0])
	{
		sky_row_free(&attrs);
		return NULL;
	}
	if (!split_spec(h->value, &name, &args, err, errlen))
	{
		sky_row_free(&attrs);
		sky_row_free(&args);
		return NULL;
	}
	def = ld_handler_find(ld, name);
	if (def == NULL)
		snprintf(err, errlen, "Unknown handler: %s", name);
	else if (strcmp(def->name, "londiste") != 0 || args.nfields > 0)
		t = instantiate(def, name, table, dest, &args, err, errlen);
	free(name);
	sky_row_free(&args);
	sky_row_free(&attrs);
	return t;
}

void
ld_handler_close(LdhTable *t)
{
	int i;

	if (t == NULL)
		return;
	if (t->def && t->def->free)
		t->def->free(t);
	for (i = 0; i < t->nargs; i++)
	{
		free((char *) t->argk[i]);
		free((char *) t->argv[i]);
	}
	free(t->argk);
	free(t->argv);
	free((char *) t->table);
	free((char *) t->dest);
	free(t);
}

/*
 * The handler the command line asks for (--handler=NAME or NAME(ARGS),
 * --handler-arg=K=V...), checked by making it for table: its attribute
 * value into spec (NAME(ARGS), args urlencoded) and the instance into
 * *out (NULL for the default handler).  False with err when refused.
 */
bool
ld_handler_from_options(Ld *ld, const char *table, const char *dest,
						char *spec, size_t speclen, LdhTable **out, char *err,
						size_t errlen)
{
	SkyRow args;
	char *name = NULL;
	const LdhDef *def;
	size_t n;
	int i;

	*out = NULL;
	err[0] = '\0';
	spec[0] = '\0';
	if (ld->opt.handler == NULL)
		return true;
	if (!split_spec(ld->opt.handler, &name, &args, err, errlen))
	{
		sky_row_free(&args);
		return false;
	}
	def = ld_handler_find(ld, name);
	if (def == NULL)
	{
		snprintf(err, errlen, "Unknown handler: %s", name);
		free(name);
		sky_row_free(&args);
		return false;
	}
	/* --handler-arg K=V are added to the ones in parentheses */
	{
		SkyRow all = {0};
		size_t cap = 64;
		char *enc = malloc(cap);
		size_t len = 0;

		enc[0] = '\0';
		for (i = 0; i < args.nfields + ld->opt.nhandler_args; i++)
		{
			const char *k, *v;
			char *kv = NULL;
			size_t need;

			if (i < args.nfields)
			{
				k = args.fields[i].key;
				v = args.fields[i].value ? args.fields[i].value : "";
			}
			else
			{
				const char *a = ld->opt.handler_args[i - args.nfields];
				const char *eq = strchr(a, '=');

				if (eq == NULL || eq == a)
				{
					snprintf(err, errlen,
							 "--handler-arg takes KEY=VALUE, not "
							 "\"%s\"",
							 a);
					free(enc);
					free(name);
					sky_row_free(&args);
					return false;
				}
				kv = strndup(a, (size_t) (eq - a));
				k = kv;
				v = eq + 1;
			}
			need = len + SKY_URLENC_MAX(strlen(k) + strlen(v)) + 4;
			if (need > cap)
			{
				cap = need * 2;
				enc = realloc(enc, cap);
			}
			if (len)
				enc[len++] = '&';
			len += ld_attr_encode(enc + len, k);
			enc[len++] = '=';
			len += ld_attr_encode(enc + len, v);
			free(kv);
		}
		sky_row_free(&args);
		if (!sky_row_decode(&all, enc, len, 0, err, errlen))
		{
			free(enc);
			free(name);
			sky_row_free(&all);
			return false;
		}
		if (strcmp(def->name, "londiste") != 0 || all.nfields > 0)
		{
			*out = instantiate(def, name, table, dest, &all, err, errlen);
			if (*out == NULL)
			{
				free(enc);
				free(name);
				sky_row_free(&all);
				return false;
			}
		}
		n = (size_t) snprintf(spec, speclen, len ? "%s(%s)" : "%s", name, enc);
		free(enc);
		sky_row_free(&all);
	}
	free(name);
	if (n >= speclen)
	{
		snprintf(err, errlen, "handler arguments too long");
		ld_handler_close(*out);
		*out = NULL;
		return false;
	}
	return true;
}

/* The root's trigger arguments of a handler: appended to list. */
static void
add_arg(void *cx, const char *arg)
{
	struct
	{
		char ***v;
		int *n;
	} *l = cx;

	*l->v = realloc(*l->v, (*l->n + 1) * sizeof(char *));
	(*l->v)[(*l->n)++] = strdup(arg);
}

bool
ld_handler_trigger_args(LdhTable *t, char ***args, int *nargs, char *err,
						size_t errlen)
{
	struct
	{
		char ***v;
		int *n;
	} l = {args, nargs};

	if (t == NULL)
		return true;
	if (t->def->flags & LDH_NO_TRIGGER)
		add_arg(&l, "virtual_table");
	if (t->def->trigger_args == NULL)
		return true;
	return t->def->trigger_args(t, add_arg, &l, err, errlen);
}

const char *
ldh_arg(const LdhTable *t, const char *key)
{
	int i;

	for (i = t->nargs - 1; i >= 0; i--)
		if (strcmp(t->argk[i], key) == 0)
			return t->argv[i];
	return NULL;
}

const char *
ldh_config(const char *key)
{
	/* kept for the process's life: handlers hold on to them */
	static char **vals;
	static int nvals;
	char *v = ld_config_get(key);

	if (v == NULL)
		return NULL;
	vals = realloc(vals, (nvals + 1) * sizeof(char *));
	vals[nvals++] = v;
	return v;
}

void
ldh_log(int level, const char *fmt, ...)
{
	static const LogLevel map[] = {LG_ERROR, LG_WARNING, LG_LOG, LG_DEBUG};
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg(map[level < 0 ? 0 : level > 3 ? 3 : level], "%s", buf);
}

/* show-handlers [NAME...] */
int
cmd_show_handlers(Ld *ld)
{
	int i, j, rc = 0;

	if (!load_plugins(ld))
		return 1;
	if (ld->nargs == 0)
	{
		for (i = 0; ld_builtin_handlers[i]; i++)
			printf("%-12s %s\n", ld_builtin_handlers[i]->name,
				   ld_builtin_handlers[i]->summary);
		for (i = 0; i < nplugins; i++)
			printf("%-12s %s (from handler_modules)\n", plugins[i]->name,
				   plugins[i]->summary ? plugins[i]->summary : "");
		printf("%-12s %s\n", "(presets)",
			   "dispatch with settings: [bulk_]{hourly,daily,monthly,yearly}_"
			   "{event,batch,field,time}, direct, bulk_direct");
		return 0;
	}
	for (i = 0; i < ld->nargs; i++)
	{
		const LdhDef *d = ld_handler_find(ld, ld->args[i]);

		if (d == NULL)
		{
			log_error("Unknown handler: %s", ld->args[i]);
			rc = 1;
			continue;
		}
		printf("%s: %s\n", ld->args[i], d->summary ? d->summary : "");
		if (strcmp(d->name, ld->args[i]) != 0)
			printf("  a preset of %s: %s\n", d->name,
				   ld_handler_preset_args(ld->args[i]));
		printf("  arguments:");
		for (j = 0; d->params && d->params[j]; j++)
			printf(" %s", d->params[j]);
		printf("%s\n", d->params && d->params[0] ? "" : " none");
		for (j = 0; d->details && d->details[j]; j++)
			printf("  %s\n", d->details[j]);
	}
	return rc;
}

/* change-handler TABLE --handler=... [--handler-arg=...] */
int
cmd_change_handler(Ld *ld)
{
	PGresult *res;
	LdhTable *h = NULL;
	char spec[2048], err[512], attrs[4096];
	char **targs = NULL;
	int ntargs = 0, rc = 1, i;
	char *table;
	bool root;

	if (ld->nargs != 1)
	{
		log_error("change-handler takes one table");
		return 1;
	}
	if (ld_local(ld) == NULL)
		return 1;
	table = ld_fqname(ld->args[0]);
	{
		const char *p[2] = {ld->queue, table};

		res = ld_query(ld->db,
					   "select coalesce(t.dest_table, t.table_name), "
					   "coalesce(t.table_attrs, ''), n.node_type = 'root' "
					   "from londiste.get_table_list($1) t, "
					   "pgq_node.get_node_info($1) n where t.table_name = $2 "
					   "and t.local",
					   2, p);
	}
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0)
	{
		log_error("Table not registered locally: %s", table);
		goto out;
	}
	root = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	if (!ld_handler_from_options(ld, table, PQgetvalue(res, 0, 0), spec,
								 sizeof(spec), &h, err, sizeof(err)))
	{
		log_error("%s", err);
		goto out;
	}
	/* the other attributes stay; handler= is replaced */
	{
		SkyRow old;
		size_t n = 0;
		const char *a = PQgetvalue(res, 0, 1);

		attrs[0] = '\0';
		if (!sky_row_decode(&old, a, strlen(a), 0, err, sizeof(err)))
		{
			sky_row_free(&old);
			log_error("table_attrs of %s: %s", table, err);
			goto out;
		}
		for (i = 0; i < old.nfields; i++)
		{
			const char *v = old.fields[i].value ? old.fields[i].value : "";

			if (strcmp(old.fields[i].key, "handler") == 0)
				continue;
			if (n + SKY_URLENC_MAX(strlen(v)) + strlen(old.fields[i].key) +
					4 >=
				sizeof(attrs))
				break;
			if (n)
				attrs[n++] = '&';
			n += ld_attr_encode(attrs + n, old.fields[i].key);
			attrs[n++] = '=';
			n += ld_attr_encode(attrs + n, v);
		}
		sky_row_free(&old);
		if (spec[0] && n + SKY_URLENC_MAX(strlen(spec)) + 10 < sizeof(attrs))
		{
			n += (size_t) sprintf(attrs + n, "%shandler=", n ? "&" : "");
			n += ld_attr_encode(attrs + n, spec);
		}
	}
	if (root && !ld_handler_trigger_args(h, &targs, &ntargs, err, sizeof(err)))
	{
		log_error("%s", err);
		goto out;
	}
	{
		/* the trigger's arguments: the handler's, as a text[] literal */
		size_t cap = 16, n;
		char *lit;

		for (i = 0; i < ntargs; i++)
			cap += strlen(targs[i]) * 2 + 4;
		lit = malloc(cap);
		n = (size_t) sprintf(lit, "{");
		for (i = 0; i < ntargs; i++)
		{
			if (i)
				lit[n++] = ',';
			lit[n++] = '"';
			for (const char *c = targs[i]; *c; c++)
			{
				if (*c == '"' || *c == '\\')
					lit[n++] = '\\';
				lit[n++] = *c;
			}
			lit[n++] = '"';
		}
		sprintf(lit + n, "}");
		{
			const char *p[4] = {ld->queue, table, lit,
								attrs[0] ? attrs : NULL};

			rc = ld_ret(ld_query(ld->db,
								 "select * from londiste.local_change_handler("
								 "$1, $2, $3::text[], $4)",
								 4, p),
						NULL) >= 400
					 ? 1
					 : 0;
		}
		free(lit);
	}
out:
	for (i = 0; i < ntargs; i++)
		free(targs[i]);
	free(targs);
	ld_handler_close(h);
	PQclear(res);
	free(table);
	return rc;
}
