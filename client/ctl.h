/*
 * ctl.h - what every jailctl command file shares: the run context (global
 * options and the connection), exit codes, the subcommand table entry and
 * the small option parser.
 *
 * jailctl is a one-shot program: it may exit on out-of-memory (ctl_oom),
 * nothing else exits outside main().  There is no mutable global state;
 * everything a command needs travels in struct ctl.
 */
#ifndef JD_CTL_H
#define JD_CTL_H

#include <stdio.h>

#include <jansson.h>

/* Exit statuses, documented in jailctl.1. */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_API = 1,	/* jaild answered with an error, or it failed */
	CTL_EXIT_USAGE = 2,	/* bad command line or input file */
	CTL_EXIT_CONNECT = 3,	/* jaild not reachable or did not answer */
	CTL_EXIT_TIMEOUT = 4	/* --wait time was up before it settled */
};

enum ctl_output {
	CTL_OUT_DEFAULT = 0,	/* each command's human form */
	CTL_OUT_JSON,
	CTL_OUT_NAME
};

#define CTL_DEFAULT_TIMEOUT_S	30
#define CTL_DEFAULT_WAIT_S	60
#define CTL_MAX_WAIT_S		3600

struct http_conn;

/*
 * The run context: global options, then the lazily opened connection.
 * The const strings point into argv; token is a copy (the argv string is
 * overwritten so the secret leaves the process's command line) and is
 * wiped and freed by ctl_free.
 */
struct ctl {
	const char		*url;		/* --url, or NULL */
	const char		*socket;	/* --socket, or NULL */
	char			*token;		/* --token (owned), or NULL */
	const char		*token_arg;	/* its argv string (wiped) */
	const char		*token_file;	/* --token-file, or NULL; set,
						   it wins over token */
	const char		*cacert;	/* --cacert, or NULL */
	const char		*pinnedpubkey;	/* --pinnedpubkey, or NULL */
	long			 timeout_s;	/* --timeout: per request */
	enum ctl_output		 output;	/* -o */
	int			 verbose;	/* -v: request/answer headers */
	int			 progress;	/* stderr is a terminal */
	struct http_conn	*conn;		/* opened by http_request */
};

/* Wipe and free what ctl owns (the --token copy); ctl itself stays. */
void	ctl_free(struct ctl *ctl);

struct ctl_cmd;
typedef int ctl_cmd_fn(struct ctl *, const struct ctl_cmd *, int, char **);

/* One row of the subcommand table in main.c. */
struct ctl_cmd {
	const char	*name;
	ctl_cmd_fn	*fn;
	const char	*usage;		/* "ls [options]" */
	const char	*summary;	/* one line for `jailctl help` */
	const char	*help;		/* description, options, examples */
};

/* Print "usage: jailctl USAGE" and the help text of cmd to fp. */
void	ctl_cmd_help(const struct ctl_cmd *cmd, FILE *fp);

/* Print "jailctl: out of memory" and exit(1); for allocation failures. */
void	ctl_oom(void) __attribute__((noreturn));
/* json_object_set_new that treats failure (or a NULL value) as OOM. */
void	ctl_json_set(json_t *obj, const char *key, json_t *v);
/* json_array_append_new, the same way. */
void	ctl_json_append(json_t *arr, json_t *v);
/*
 * --mount / `mount add` syntax TYPE:SRC:TARGET[:OPTS], OPTS a comma list of
 * ro, rw, ruleset=N, size=S, mode=M; an empty SRC, or SRC equal to TYPE,
 * means none.  The mount object, or NULL when the text does not parse.
 */
json_t	*ctl_mount_parse(const char *s);

/*
 * --param K=V values (cmd_jails.c): typed by the host's parameter catalog
 * (GET /v1/host/params, fetched once, on the first --param), else guessed.
 * Start with { 0, NULL }; the caller drops items with json_decref.
 */
struct ctl_param_types {
	int	 fetched;
	json_t	*items;		/* the catalog's items, or NULL */
};

/*
 * Fetch the catalog into pt unless done already.  An answer that is not
 * the catalog leaves items NULL (values are then guessed).  Returns
 * CTL_EXIT_OK, or CTL_EXIT_CONNECT / CTL_EXIT_USAGE (message printed).
 */
int	ctl_param_types_load(struct ctl *ctl, struct ctl_param_types *pt);
/*
 * The JSON value for parameter name given as text v: an integer or a
 * boolean when the catalog types it so (or, unknown to it, when v reads
 * as one), else a string.  New reference; NULL only on out-of-memory.
 */
json_t	*ctl_param_value(const struct ctl_param_types *pt, const char *name,
	    const char *v);
/*
 * Split "K=V": the key (caller frees with jd_free) with *v pointing at V
 * inside s, or NULL when there is no '=' or the key is empty.
 */
char	*ctl_kv_split(const char *s, const char **v);

/*
 * Print "jailctl CMD: MESSAGE" and a pointer to --help on stderr and
 * return CTL_EXIT_USAGE, so a command can `return ctl_usage(...)`.
 */
int	ctl_usage(const struct ctl_cmd *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * The option parser.  Each command lists its own options; the global ones
 * (--url, --socket, --token, --token-file, --cacert, --pinnedpubkey,
 * --timeout, -o/--output, -v/--verbose, -h/--help) are accepted by every
 * command anywhere on its line and stored in struct ctl by the parser.
 * Long options take their argument as --opt=V or --opt V (ARG_OPTIONAL only
 * as --opt=V); short ones as -x V or -xV.  "--" ends the options.
 */
enum arg_kind { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

struct arg_opt {
	const char	*lname;		/* without "--", or NULL */
	int		 sname;		/* short letter, or 0 */
	enum arg_kind	 kind;
	int		 id;		/* > 0, returned by args_next */
};

struct args {
	const struct ctl_cmd	*cmd;
	int			 argc;
	char			**argv;
	int			 i;
	int			 only_pos;
};

#define ARGS_POS	0	/* a positional argument in *val */
#define ARGS_END	(-1)	/* nothing left */
#define ARGS_ERR	(-2)	/* a usage error, already printed */
#define ARGS_HELP	(-3)	/* --help, the command's help already printed */

/* argv[0] is the command name and is skipped. */
void	args_init(struct args *a, const struct ctl_cmd *cmd, int argc,
	    char **argv);

/*
 * The next option (its id, with *val its argument or NULL), a positional
 * (ARGS_POS, *val), ARGS_END, ARGS_ERR or ARGS_HELP.  opts ends with a
 * zeroed row and may be NULL.  Global options are consumed here.
 */
int	args_next(struct args *a, const struct arg_opt *opts,
	    struct ctl *ctl, const char **val);

/*
 * Parse --wait's optional value: NULL means CTL_DEFAULT_WAIT_S.  Returns
 * the seconds, or -1 after printing a usage error.
 */
long	args_wait(const struct ctl_cmd *cmd, const char *val);

/*
 * The commands, each in the file of its group.  They return an exit status
 * and print their own messages.
 */
int	cmd_ls(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_get(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_create(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_apply(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_edit(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_set(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_rm(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_start(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_stop(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_restart(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_host(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_adopt(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_events(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_token(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_audit(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_export(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_import(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_ip(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_pool(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_mount(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_policy(struct ctl *, const struct ctl_cmd *, int, char **);
int	cmd_effective(struct ctl *, const struct ctl_cmd *, int, char **);

/*
 * cmd_actions.c: after a write sent with ?wait=wait_s, decide how it ended.
 * doc is the answer's jail document (NULL for a 204 to DELETE, meaning
 * gone); status its HTTP status; started the time the request was sent
 * (monotonic seconds).  A 202 means time was up; an answer that came back
 * early without settling is polled (GET every half second, a progress line
 * on a terminal) until settled or the time is up.  gone asks for the jail
 * to disappear (rm).  On return *final (if not NULL) holds the last
 * document seen (caller frees with json_decref; NULL when gone).
 * Returns CTL_EXIT_OK when settled (phase running/stopped, or gone),
 * CTL_EXIT_API when it settled as failed (message printed),
 * CTL_EXIT_TIMEOUT (message printed) or CTL_EXIT_CONNECT.
 */
int	ctl_wait_settled(struct ctl *ctl, const char *name, json_t *doc,
	    long status, long wait_s, double started, int gone,
	    json_t **final);

/*
 * cmd_jails.c: "/v1/jails/NAME[/ACTION][?wait=S]" with NAME escaped;
 * action may be NULL, wait_s < 0 means no wait.  Caller frees with jd_free.
 */
char	*ctl_jail_path(const char *name, const char *action, long wait_s);

/* An integer member of a JSON object, or dflt when absent or not one. */
long long ctl_json_int(const json_t *obj, const char *key, long long dflt);

/* Monotonic seconds, for deadlines. */
double	ctl_now(void);

#endif
