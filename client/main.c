/*
 * main.c - jailctl's entry point: the table of subcommands with their
 * usage and help, the option parser every command shares, and dispatch.
 *
 * The command groups live in their own files (cmd_jails.c, cmd_actions.c,
 * cmd_host.c, cmd_tokens.c).  A later resource adds its rows to ctl_cmds[] below and its
 * file beside them; the help, the man page and the bash completion follow
 * the table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/alloc.h"
#include "ctl.h"
#include "http.h"

#define GLOBAL_HELP \
"Global options (accepted before or after the command):\n" \
"  --url URL       jaild's address: http://HOST:PORT, https://..., or\n" \
"                  unix:PATH (default: $JAILD_URL, else ./var/jaild.sock\n" \
"                  when it exists, else /var/run/jaild.sock)\n" \
"  --socket PATH   talk to jaild on this unix socket\n" \
"  --token-file F  send the API token in file F (Authorization: Bearer)\n" \
"  --token TOKEN   send this token (visible to ps: prefer a file or\n" \
"                  $JAILD_TOKEN); default: $JAILD_TOKEN, else the admin\n" \
"                  token of jaild's data directory when readable\n" \
"  --cacert FILE   https: trust the certificate(s) in FILE\n" \
"  --pinnedpubkey sha256//BASE64\n" \
"                  https: accept only this public key (tls.pin of\n" \
"                  'jailctl host'); alone it accepts a self-signed one\n" \
"  --timeout S     seconds a request may take, not counting --wait (30)\n" \
"  -o, --output F  json or name instead of the human form\n" \
"  -v, --verbose   show request and answer headers (never the token)\n" \
"  -h, --help      show help\n"

static const struct ctl_cmd ctl_cmds[] = {
	/* jails: cmd_jails.c */
	{ "ls", cmd_ls, "ls [--state S] [--phase P] [--label K=V]... [-o json|name]",
	  "list jails",
	  "List jails as a table: NAME STATE JID IP HOSTNAME PATH, where STATE\n"
	  "is the observed phase and IP the first address.  Every page is\n"
	  "fetched.  The table fits the terminal ($COLUMNS); the last column\n"
	  "is cut rather than wrapped.\n\n"
	  "Options:\n"
	  "  --state S       only jails whose desired state is S (running, stopped)\n"
	  "  --phase P       only jails in phase P (pending, creating, running,\n"
	  "                  stopping, stopped, failed, deleting)\n"
	  "  --label K=V     only jails with label K set to V (repeatable; all\n"
	  "                  must match)\n"
	  "  --limit N       page size of each request (default 100)\n"
	  "  -o json         the jails as one JSON array\n"
	  "  -o name         one name per line\n\n"
	  "Examples:\n"
	  "  jailctl ls\n"
	  "  jailctl ls --phase running --label env=prod\n"
	  "  jailctl ls -o name | xargs jailctl stop --wait\n" },
	{ "get", cmd_get, "get NAME [-o json|name]",
	  "show one jail's document",
	  "Print the jail's JSON document (desired part, versions and status).\n\n"
	  "Examples:\n"
	  "  jailctl get web1\n"
	  "  jailctl get web1 > web1.json\n" },
	{ "create", cmd_create,
	  "create NAME --path P [--hostname H] [--ip 'IFACE|ADDR/PFX']...\n"
	  "              [--mount TYPE:SRC:TARGET[:ro]]... [--param K=V]...\n"
	  "              [--label K=V]... [--depends NAME]... [--start] [--wait[=S]]",
	  "create a jail",
	  "Create a jail (POST /v1/jails).  It stays stopped unless --start.\n\n"
	  "Options:\n"
	  "  --path P            the jail's root (required)\n"
	  "  --hostname H        host.hostname\n"
	  "  --ip 'IFACE|ADDR'   an address, optionally on an interface, written\n"
	  "                      as in jail.conf: 'em0|10.0.0.5/24', '10.0.0.6',\n"
	  "                      'em0|2001:db8::5/64' (repeatable)\n"
	  "  --mount SPEC        TYPE:SRC:TARGET[:ro]; SRC is empty for devfs,\n"
	  "                      procfs, fdescfs and tmpfs (devfs::/dev)\n"
	  "  --param K=V         a jail parameter; integers and true/false are\n"
	  "                      typed as the host's catalog says (repeatable)\n"
	  "  --label K=V         a label (repeatable)\n"
	  "  --depends NAME      start after NAME (repeatable)\n"
	  "  --start             desired state running\n"
	  "  --wait[=S]          wait up to S seconds (60) until it settled\n\n"
	  "Examples:\n"
	  "  jailctl create web1 --path /usr/local/jails/web1 \\\n"
	  "      --hostname web1.example.org --ip 'em0|10.0.0.5/24' \\\n"
	  "      --mount devfs::/dev \\\n"
	  "      --mount nullfs:/usr/local/jails/base:/basejail:ro \\\n"
	  "      --param securelevel=3 --label env=prod --start --wait\n" },
	{ "apply", cmd_apply, "apply -f FILE|- [--wait[=S]]",
	  "create or replace jails from JSON documents",
	  "PUT each document in FILE (or standard input): one JSON object, an\n"
	  "array of objects, or one object per line.  Prints NAME created,\n"
	  "NAME configured or NAME unchanged (the generation did not move), so\n"
	  "running it twice is harmless.\n\n"
	  "Options:\n"
	  "  -f, --filename F    the file, or - for standard input (required)\n"
	  "  --wait[=S]          wait up to S seconds (60) for each to settle\n\n"
	  "Examples:\n"
	  "  jailctl apply -f jails.json\n"
	  "  jailctl get web1 | sed 's/\"stopped\"/\"running\"/' |\n"
	  "      jailctl apply -f -\n" },
	{ "edit", cmd_edit, "edit NAME",
	  "edit a jail's document in $EDITOR",
	  "Open the jail's desired part in $EDITOR (default vi), then PUT it\n"
	  "back with If-Match, so a change made meanwhile by someone else is\n"
	  "refused rather than overwritten.  Your edit is kept in a file when\n"
	  "it cannot be saved.\n\n"
	  "Examples:\n"
	  "  jailctl edit web1\n"
	  "  EDITOR='sed -i s/web1.old/web1.new/' jailctl edit web1\n" },
	{ "set", cmd_set, "set NAME K=V... [--wait[=S]]",
	  "change fields of a jail",
	  "Change fields with a merge patch.  K is hostname, state, path or\n"
	  "restart_policy, param.NAME (a jail parameter, typed by the host's\n"
	  "catalog; empty removes it) or label.KEY (empty removes the label).\n\n"
	  "Options:\n"
	  "  --wait[=S]      wait up to S seconds (60) until it settled\n\n"
	  "Examples:\n"
	  "  jailctl set web1 hostname=www.example.org param.securelevel=2\n"
	  "  jailctl set web1 label.env=staging label.old=\n"
	  "  jailctl set web1 state=running --wait\n" },
	{ "rm", cmd_rm, "rm NAME... [--wait[=S]]",
	  "delete jails",
	  "Delete jails; a running jail is stopped and torn down first.\n\n"
	  "Options:\n"
	  "  --wait[=S]      wait up to S seconds (60) until it is gone\n\n"
	  "Examples:\n"
	  "  jailctl rm web1\n"
	  "  jailctl rm web1 web2 --wait=120\n" },

	/* actions: cmd_actions.c */
	{ "start", cmd_start, "start NAME... [--wait[=S]]",
	  "start jails",
	  "Set the desired state to running.  With --wait, wait up to S seconds\n"
	  "(60) until each runs or failed, with a progress line on a terminal.\n\n"
	  "Examples:\n"
	  "  jailctl start web1\n"
	  "  jailctl start web1 db1 --wait=30\n" },
	{ "stop", cmd_stop, "stop NAME... [--wait[=S]]",
	  "stop jails",
	  "Set the desired state to stopped.  With --wait, wait up to S seconds\n"
	  "(60) until each stopped.\n\n"
	  "Examples:\n"
	  "  jailctl stop web1 --wait\n" },
	{ "restart", cmd_restart, "restart NAME... [--wait[=S]]",
	  "restart jails",
	  "Stop and start jails again.  With --wait, wait up to S seconds (60)\n"
	  "until each runs again.\n\n"
	  "Examples:\n"
	  "  jailctl restart web1 --wait\n" },

	/* host: cmd_host.c */
	{ "host", cmd_host, "host [prisons|params]",
	  "show the host, its prisons or its parameter catalog",
	  "host: the backend, OS release, jaild version and counts.\n"
	  "host prisons: every prison the kernel reports, managed or not.\n"
	  "host params: the jail parameters this host knows, with their types.\n\n"
	  "Examples:\n"
	  "  jailctl host\n"
	  "  jailctl host prisons\n"
	  "  jailctl host params -o json\n" },
	{ "adopt", cmd_adopt, "adopt NAME",
	  "manage a prison that was created outside jaild",
	  "Take over a running prison made by hand (jail -c) so jaild manages\n"
	  "it from now on; see `jailctl host prisons` for candidates.\n\n"
	  "Examples:\n"
	  "  jailctl adopt legacy1\n" },
	{ "events", cmd_events, "events [--since ID] [--jail NAME]",
	  "show the event history",
	  "Print events (created, started, drift_repaired, ...) after event ID\n"
	  "(default: from the beginning) as a table ID TIME JAIL TYPE MESSAGE.\n\n"
	  "Options:\n"
	  "  --since ID      only events after ID\n"
	  "  --jail NAME     only events of this jail\n\n"
	  "Examples:\n"
	  "  jailctl events --since 120\n"
	  "  jailctl events --jail web1 -o json\n" },

	/* cmd_mounts.c */
	{ "mount", cmd_mount, "mount ls NAME | mount add NAME "
	  "TYPE:SRC:TARGET[:ro] | mount rm NAME ID",
	  "list, add or remove a jail's mounts",
	  "A jail's mounts (the same list as its document's \"mounts\"), in\n"
	  "the order they are applied.  TYPE is nullfs, devfs, tmpfs, procfs\n"
	  "or fdescfs; SRC is the host path of a nullfs mount (empty for the\n"
	  "others); options after TARGET: ro, rw, ruleset=N, size=S, mode=M.\n"
	  "jaild assigns each mount an id; the reconciler mounts it.\n\n"
	  "Examples:\n"
	  "  jailctl mount add web1 nullfs:/srv/www:/usr/local/www:ro\n"
	  "  jailctl mount add web1 tmpfs::/tmp:size=64m\n"
	  "  jailctl mount rm web1 3\n" },

	/* cmd_ips.c */
	{ "ip", cmd_ip, "ip ls NAME | ip add NAME ADDR|--pool P [--interface IF]"
	  " | ip rm NAME ADDR",
	  "list, add or remove a jail's addresses",
	  "A jail's addresses (the same list as its document's \"ips\").  A\n"
	  "bare address gets /32 or /128; --pool takes the lowest free\n"
	  "address of an address pool.  The reconciler adds and removes the\n"
	  "interface alias.\n\n"
	  "Examples:\n"
	  "  jailctl ip add web1 192.0.2.10/24 --interface em0\n"
	  "  jailctl ip add web1 --pool lan\n"
	  "  jailctl ip rm web1 192.0.2.10\n" },
	{ "pool", cmd_pool, "pool ls | pool add NAME --interface IF --cidr CIDR "
	  "[--exclude A]... | pool rm NAME",
	  "list, add or remove address pools",
	  "Address pools (IPAM) on an interface; `jailctl ip add NAME --pool P`\n"
	  "allocates from them.  Changing pools needs an admin credential.\n\n"
	  "Examples:\n"
	  "  jailctl pool add lan --interface em0 --cidr 192.0.2.0/24 "
	  "--exclude 192.0.2.1\n"
	  "  jailctl pool ls\n" },

	/* cmd_policies.c */
	{ "policy", cmd_policy,
	  "policy ls | policy get NAME | policy rm NAME...\n"
	  "       jailctl policy apply NAME [--description TEXT] [--param K=V]...\n"
	  "                                 [--limit RES:ACTION=AMOUNT[/PER]]...\n"
	  "       jailctl policy apply NAME -f FILE|-",
	  "list, show, create or replace, and remove policies",
	  "A policy is a named set of jail parameters and rctl(8) limits.  A\n"
	  "jail lists the policies it follows in its document's \"policies\"\n"
	  "(set it with apply or edit).  A jail's parameters are the catalog's\n"
	  "defaults, overridden by its policies in order, overridden by its own\n"
	  "params; see `jailctl effective`.\n"
	  "Changing policies needs an admin credential.\n\n"
	  "policy ls: a table NAME PARAMS LIMITS USED-BY (counts, and the jails\n"
	  "that list it); -o name prints the names.\n"
	  "policy get: the policy in a readable form, -o json (or --json) the\n"
	  "document.\n"
	  "policy apply: PUT the policy, creating it or replacing it whole:\n"
	  "without -f the flags are the entire policy, so what they leave out\n"
	  "(description, params, limits) is removed.  Prints NAME created,\n"
	  "NAME configured or NAME unchanged.  Every jail listing a changed\n"
	  "policy is reconciled to it.\n"
	  "policy rm: delete policies; one still listed by a jail is refused\n"
	  "and the jails are named.\n\n"
	  "Options of apply:\n"
	  "  --description TEXT  what the policy is for\n"
	  "  --param K=V         a jail parameter, typed as for create\n"
	  "                      (repeatable)\n"
	  "  --limit RES:ACTION=AMOUNT[/PER]\n"
	  "                      an rctl limit: RES such as maxproc or\n"
	  "                      memoryuse, ACTION deny, log, devctl, throttle\n"
	  "                      or sigNAME, AMOUNT a number with an optional\n"
	  "                      k, m, g, t, p or e suffix, PER jail (default),\n"
	  "                      process, user or loginclass (repeatable)\n"
	  "  -f, --filename F    the policy as a JSON document (- for stdin);\n"
	  "                      `policy get NAME -o json` is one\n"
	  "  --json              print jaild's answer as JSON (as -o json)\n\n"
	  "Examples:\n"
	  "  jailctl policy apply hardened --description 'no raw sockets' \\\n"
	  "      --param securelevel=3 --param allow.raw_sockets=false \\\n"
	  "      --limit maxproc:deny=100 --limit memoryuse:deny=512m\n"
	  "  jailctl policy get hardened -o json > hardened.json\n"
	  "  jailctl policy apply hardened -f hardened.json\n"
	  "  jailctl policy ls\n"
	  "  jailctl policy rm hardened\n" },
	{ "effective", cmd_effective, "effective NAME [--json]",
	  "show a jail's parameters and limits after its policies",
	  "What a jail gets once its policies are merged: a table PARAM VALUE\n"
	  "LAYER, where LAYER says where the value comes from (default, the\n"
	  "catalog's default; policy:NAME; jail, its own params), then its rctl\n"
	  "limits as a table RULE POLICY with the rule text jaild applies.\n\n"
	  "Options:\n"
	  "  --json          jaild's answer as JSON (as -o json), with the\n"
	  "                  values each layer overrides (\"shadowed\")\n\n"
	  "Examples:\n"
	  "  jailctl effective web1\n"
	  "  jailctl effective web1 --json\n" },

	/* cmd_conf.c */
	{ "export", cmd_export, "export [NAME...]",
	  "print jails as jail.conf text",
	  "Print the jail.conf(5) text jail(8) would accept for the stored\n"
	  "configuration: every jail (one file), or the named ones.\n\n"
	  "Examples:\n"
	  "  jailctl export > /etc/jail.conf.d/jaild.conf\n"
	  "  jailctl export web1 db1\n" },

	{ "import", cmd_import, "import FILE|- [--dry-run] [--rc-conf]",
	  "create or replace jails from jail.conf text",
	  "Send jail.conf(5) text (or, with --rc-conf, the old rc.conf jail_*\n"
	  "variables) to jaild, which creates or replaces every jail it\n"
	  "describes in one transaction.  Settings jaild does not model are\n"
	  "listed on stderr as not imported.  --dry-run shows what would be\n"
	  "written and every error with its line, changing nothing.  Needs\n"
	  "an admin credential.\n\n"
	  "Examples:\n"
	  "  jailctl import --dry-run /etc/jail.conf\n"
	  "  jailctl import /etc/jail.conf\n"
	  "  jailctl import --rc-conf /etc/rc.conf\n" },

	/* admin: cmd_tokens.c */
	{ "token", cmd_token,
	  "token create NAME --scope read|write|admin [--jail NAME]...\n"
	  "                     [--expires TIME]\n"
	  "       jailctl token ls\n"
	  "       jailctl token rm ID...",
	  "create, list and revoke API tokens",
	  "API tokens for jaild (admin scope needed).  A token is sent as\n"
	  "Authorization: Bearer; give it to jailctl with --token-file or\n"
	  "$JAILD_TOKEN.\n\n"
	  "token create: make a token and print its secret.  jaild keeps only\n"
	  "a hash: this is the only time the secret is shown.  The scope is\n"
	  "read (look), write (change jails too) or admin (everything, tokens\n"
	  "included).  Each --jail limits the token to that jail: it sees no\n"
	  "other and cannot create or delete jails.  --expires takes an\n"
	  "RFC 3339 time (2027-01-01T00:00:00Z).  With -o name only the\n"
	  "secret is printed, with -o json the whole answer.\n"
	  "token ls: the tokens as a table ID NAME SCOPE JAILS EXPIRES\n"
	  "LAST-USED, without secrets (-o name: the ids).\n"
	  "token rm: revoke tokens by id; they stop working at once.\n\n"
	  "Options of create:\n"
	  "  --scope S       read, write or admin (required)\n"
	  "  --jail NAME     only this jail (repeatable; not with admin)\n"
	  "  --expires TIME  stop working at TIME (default: never)\n\n"
	  "Examples:\n"
	  "  jailctl token create ci --scope write -o name > ci.token\n"
	  "  jailctl token create web-team --scope write --jail web1 \\\n"
	  "      --jail web2 --expires 2027-01-01T00:00:00Z\n"
	  "  jailctl --token-file ci.token ls\n"
	  "  jailctl token ls\n"
	  "  jailctl token rm 633dfaaf43786305\n" },
	{ "audit", cmd_audit, "audit [--since ID]",
	  "show who changed what",
	  "Print the audit log (admin scope needed): every accepted change with\n"
	  "its time, who made it (uid:0, token:ID or internal), from where\n"
	  "(unix or the client address), the request, the resource and the\n"
	  "jail's generation before and after, as a table ID TIME PRINCIPAL\n"
	  "FROM METHOD PATH RESOURCE GENERATION.  Every page is fetched.\n\n"
	  "Options:\n"
	  "  --since ID      only entries after ID\n\n"
	  "Examples:\n"
	  "  jailctl audit\n"
	  "  jailctl audit --since 120 -o json\n" },

	/*
	 * Later resources, each in its own issue and file, in the same shape:
		 *	{ "mount",  cmd_mount,  ... },	cmd_mounts.c
				 *	{ "exec",   cmd_exec,   ... },	cmd_exec.c
	 */
	{ NULL, NULL, NULL, NULL, NULL }
};

void
ctl_oom(void)
{
	fputs("jailctl: out of memory\n", stderr);
	exit(CTL_EXIT_API);
}

void
ctl_json_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) == -1)
		ctl_oom();
}

void
ctl_json_append(json_t *arr, json_t *v)
{
	if (v == NULL || json_array_append_new(arr, v) == -1)
		ctl_oom();
}

double
ctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
ctl_cmd_help(const struct ctl_cmd *cmd, FILE *fp)
{
	fprintf(fp, "usage: jailctl %s\n\n%s\n%s", cmd->usage, cmd->help,
	    GLOBAL_HELP);
}

int
ctl_usage(const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "jailctl%s%s: ", *cmd->name != '\0' ? " " : "",
	    cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: jailctl %s\n", cmd->usage);
	if (*cmd->name != '\0')
		fprintf(stderr, "see 'jailctl %s --help'\n", cmd->name);
	else
		fprintf(stderr, "see 'jailctl help'\n");
	return CTL_EXIT_USAGE;
}

enum { GOPT_URL = 1000, GOPT_SOCKET, GOPT_TOKEN, GOPT_TOKEN_FILE,
    GOPT_CACERT, GOPT_PIN, GOPT_TIMEOUT, GOPT_OUTPUT, GOPT_VERBOSE,
    GOPT_HELP, GOPT_VERSION };

static const struct arg_opt global_opts[] = {
	{ "url", 0, ARG_REQUIRED, GOPT_URL },
	{ "socket", 0, ARG_REQUIRED, GOPT_SOCKET },
	{ "token", 0, ARG_REQUIRED, GOPT_TOKEN },
	{ "token-file", 0, ARG_REQUIRED, GOPT_TOKEN_FILE },
	{ "cacert", 0, ARG_REQUIRED, GOPT_CACERT },
	{ "pinnedpubkey", 0, ARG_REQUIRED, GOPT_PIN },
	{ "timeout", 0, ARG_REQUIRED, GOPT_TIMEOUT },
	{ "output", 'o', ARG_REQUIRED, GOPT_OUTPUT },
	{ "verbose", 'v', ARG_NONE, GOPT_VERBOSE },
	{ "help", 'h', ARG_NONE, GOPT_HELP },
	{ NULL, 0, ARG_NONE, 0 }
};

void
ctl_free(struct ctl *ctl)
{
	if (ctl->token != NULL) {
		explicit_bzero(ctl->token, strlen(ctl->token));
		jd_free(ctl->token);
		ctl->token = NULL;
	}
}

/*
 * A pin as curl takes it: one or more "sha256//" + the base64 of a
 * SHA-256 digest (43 characters and '='), separated by ';'.
 */
static int
pin_valid(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n;

	for (;;) {
		if (strncmp(s, "sha256//", 8) != 0)
			return 0;
		s += 8;
		n = strspn(s, b64);
		if (n != 43 || s[n] != '=')
			return 0;
		s += n + 1;
		if (*s == '\0')
			return 1;
		if (*s++ != ';')
			return 0;
	}
}

void
args_init(struct args *a, const struct ctl_cmd *cmd, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	a->i = 1;
}

static const struct arg_opt *
args_find(const struct arg_opt *opts, const char *lname, size_t llen,
    int sname)
{
	for (; opts != NULL && opts->id != 0; opts++) {
		if (lname != NULL && opts->lname != NULL &&
		    strlen(opts->lname) == llen &&
		    strncmp(opts->lname, lname, llen) == 0)
			return opts;
		if (lname == NULL && sname != 0 && opts->sname == sname)
			return opts;
	}
	return NULL;
}

/* Apply a global option; 0, or ARGS_ERR / ARGS_HELP. */
static int
args_global(struct args *a, struct ctl *ctl, int id, const char *val)
{
	char *end;
	long v;

	switch (id) {
	case GOPT_URL:
		ctl->url = val;
		ctl->socket = NULL;
		break;
	case GOPT_SOCKET:
		ctl->socket = val;
		ctl->url = NULL;
		break;
	case GOPT_TOKEN:
		/*
		 * Commands that take several names parse their line twice;
		 * the second time this string is already wiped, and the copy
		 * made the first time stands.
		 */
		if (val != ctl->token_arg) {
			ctl_free(ctl);
			if ((ctl->token = jd_strdup(val)) == NULL)
				ctl_oom();
			/* Take the secret off our command line (ps, /proc). */
			memset((char *)val, 'x', strlen(val));
			ctl->token_arg = val;
		}
		ctl->token_file = NULL;		/* the last one given wins */
		break;
	case GOPT_TOKEN_FILE:
		ctl->token_file = val;		/* wins over an earlier --token */
		break;
	case GOPT_CACERT:
		ctl->cacert = val;
		break;
	case GOPT_PIN:
		if (!pin_valid(val)) {
			ctl_usage(a->cmd, "--pinnedpubkey wants "
			    "sha256//BASE64 (as GET /v1/host shows in "
			    "tls.pin), not '%s'", val);
			return ARGS_ERR;
		}
		ctl->pinnedpubkey = val;
		break;
	case GOPT_VERBOSE:
		ctl->verbose = 1;
		break;
	case GOPT_TIMEOUT:
		v = strtol(val, &end, 10);
		if (*val == '\0' || *end != '\0' || v < 0 || v > 86400) {
			ctl_usage(a->cmd, "--timeout wants seconds (0..86400), "
			    "not '%s'", val);
			return ARGS_ERR;
		}
		ctl->timeout_s = v;
		break;
	case GOPT_OUTPUT:
		if (strcmp(val, "json") == 0)
			ctl->output = CTL_OUT_JSON;
		else if (strcmp(val, "name") == 0)
			ctl->output = CTL_OUT_NAME;
		else if (strcmp(val, "table") == 0 || strcmp(val, "text") == 0)
			ctl->output = CTL_OUT_DEFAULT;
		else {
			ctl_usage(a->cmd, "-o wants json or name, not '%s'",
			    val);
			return ARGS_ERR;
		}
		break;
	case GOPT_HELP:
		/* main() prints the whole list for a top-level --help. */
		if (a->cmd->fn != NULL)
			ctl_cmd_help(a->cmd, stdout);
		return ARGS_HELP;
	}
	return 0;
}

int
args_next(struct args *a, const struct arg_opt *opts, struct ctl *ctl,
    const char **val)
{
	const struct arg_opt *o;
	const char *arg, *eq;
	size_t llen;
	int r;

	*val = NULL;
	if (a->i >= a->argc)
		return ARGS_END;
	arg = a->argv[a->i++];
	if (a->only_pos || arg[0] != '-' || arg[1] == '\0') {
		*val = arg;
		return ARGS_POS;
	}
	if (strcmp(arg, "--") == 0) {
		a->only_pos = 1;
		return args_next(a, opts, ctl, val);
	}
	if (arg[1] == '-') {
		arg += 2;
		eq = strchr(arg, '=');
		llen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		o = args_find(opts, arg, llen, 0);
		if (o == NULL)
			o = args_find(global_opts, arg, llen, 0);
		if (o == NULL) {
			ctl_usage(a->cmd, "unknown option --%.*s", (int)llen,
			    arg);
			return ARGS_ERR;
		}
		if (eq != NULL && o->kind == ARG_NONE) {
			ctl_usage(a->cmd, "--%s takes no value", o->lname);
			return ARGS_ERR;
		}
		if (eq != NULL)
			*val = eq + 1;
		else if (o->kind == ARG_REQUIRED) {
			if (a->i >= a->argc) {
				ctl_usage(a->cmd, "--%s needs a value",
				    o->lname);
				return ARGS_ERR;
			}
			*val = a->argv[a->i++];
		}
	} else {
		o = args_find(opts, NULL, 0, arg[1]);
		if (o == NULL)
			o = args_find(global_opts, NULL, 0, arg[1]);
		if (o == NULL) {
			ctl_usage(a->cmd, "unknown option -%c", arg[1]);
			return ARGS_ERR;
		}
		if (o->kind == ARG_NONE && arg[2] != '\0') {
			ctl_usage(a->cmd, "-%c takes no value", arg[1]);
			return ARGS_ERR;
		}
		if (o->kind != ARG_NONE) {
			if (arg[2] != '\0')
				*val = arg + 2;
			else if (a->i < a->argc)
				*val = a->argv[a->i++];
			else {
				ctl_usage(a->cmd, "-%c needs a value", arg[1]);
				return ARGS_ERR;
			}
		}
	}
	if (o->id >= GOPT_URL && o->id < GOPT_VERSION) {
		if ((r = args_global(a, ctl, o->id, *val)) != 0)
			return r;
		return args_next(a, opts, ctl, val);
	}
	return o->id;
}

long
args_wait(const struct ctl_cmd *cmd, const char *val)
{
	char *end;
	long v;

	if (val == NULL)
		return CTL_DEFAULT_WAIT_S;
	v = strtol(val, &end, 10);
	if (*val == '\0' || *end != '\0' || v < 0 || v > CTL_MAX_WAIT_S) {
		ctl_usage(cmd, "--wait wants seconds (0..%d), not '%s'",
		    CTL_MAX_WAIT_S, val);
		return -1;
	}
	return v;
}

static void
usage_all(FILE *fp)
{
	const struct ctl_cmd *c;

	fprintf(fp, "usage: jailctl [global options] COMMAND [args]\n\n"
	    "Commands:\n");
	for (c = ctl_cmds; c->name != NULL; c++)
		fprintf(fp, "  %-9s %s\n", c->name, c->summary);
	fprintf(fp, "  %-9s %s\n\n", "help", "show help for a command");
	fputs(GLOBAL_HELP, fp);
	fprintf(fp, "\n  --version       print jailctl's version\n\n"
	    "Exit status: 0 ok, 1 jaild answered with an error, 2 usage error,\n"
	    "3 cannot connect to jaild, 4 timed out waiting.\n"
	    "See 'jailctl help COMMAND' and jailctl(1).\n");
}

static const struct ctl_cmd *
cmd_find(const char *name)
{
	const struct ctl_cmd *c;

	for (c = ctl_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct ctl_cmd top = { "", NULL, "[global options] "
	    "COMMAND [args]", "", "" };
	static const struct arg_opt top_opts[] = {
		{ "version", 0, ARG_NONE, GOPT_VERSION },
		{ NULL, 0, ARG_NONE, 0 }
	};
	const struct ctl_cmd *cmd;
	struct ctl ctl;
	struct args a;
	const char *val;
	int r, rc, first;

	memset(&ctl, 0, sizeof(ctl));
	ctl.timeout_s = CTL_DEFAULT_TIMEOUT_S;
	ctl.progress = isatty(STDERR_FILENO);
	jd_alloc_init();

	/* Global options before the command. */
	args_init(&a, &top, argc, argv);
	for (;;) {
		r = args_next(&a, top_opts, &ctl, &val);
		if (r == ARGS_HELP) {
			usage_all(stdout);
			rc = CTL_EXIT_OK;
			goto done;
		}
		if (r == ARGS_ERR) {
			rc = CTL_EXIT_USAGE;
			goto done;
		}
		if (r == GOPT_VERSION) {
			printf("jailctl %s\n", JD_VERSION);
			rc = CTL_EXIT_OK;
			goto done;
		}
		if (r == ARGS_END) {
			usage_all(stderr);
			rc = CTL_EXIT_USAGE;
			goto done;
		}
		if (r == ARGS_POS) {
			first = a.i - 1;	/* the command's own argv[0] */
			break;
		}
	}
	if (strcmp(val, "help") == 0) {
		rc = CTL_EXIT_OK;
		if (first + 1 >= argc)
			usage_all(stdout);
		else if ((cmd = cmd_find(argv[first + 1])) == NULL) {
			fprintf(stderr, "jailctl: unknown command '%s'\n",
			    argv[first + 1]);
			rc = CTL_EXIT_USAGE;
		} else
			ctl_cmd_help(cmd, stdout);
		goto done;
	}
	if ((cmd = cmd_find(val)) == NULL) {
		fprintf(stderr, "jailctl: unknown command '%s'\n"
		    "see 'jailctl help'\n", val);
		rc = CTL_EXIT_USAGE;
		goto done;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmd->fn(&ctl, cmd, argc - first, argv + first);
	http_close(&ctl);
	curl_global_cleanup();
done:
	ctl_free(&ctl);
	return rc;
}
