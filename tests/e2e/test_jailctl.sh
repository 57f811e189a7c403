#!/usr/bin/env bash
#
# test_jailctl.sh - jailctl end to end: start a jaild of our own on the
# simulated host (port 0 plus a unix socket in a temporary data directory),
# drive every jailctl command through the socket, and check what it prints
# and its exit status.  JSON is checked with python3, never by eye.
#
# Environment (set by ctest): JAILD_BIN, JAILD_SIM_BIN, JAILCTL_BIN.
set -u

JAILD_BIN=${JAILD_BIN:?JAILD_BIN must name the jaild binary}
JAILD_SIM_BIN=${JAILD_SIM_BIN:-$(dirname "$JAILD_BIN")/jaild-sim}
JAILCTL_BIN=${JAILCTL_BIN:-$(dirname "$JAILD_BIN")/jailctl}
if [ ! -x "$JAILCTL_BIN" ]; then
	echo "Bail out! no jailctl at $JAILCTL_BIN"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/jailctl-e2e.XXXXXX")
SOCK=$T/jaild.sock
JAILD_PID=
cleanup() {
	if [ -n "$JAILD_PID" ]; then
		kill "$JAILD_PID" 2>/dev/null
		wait "$JAILD_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"

# run ARGS...: jailctl on our socket; RC, $T/out and $T/err hold the result.
run() {
	"$JAILCTL_BIN" --socket "$SOCK" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}
# As run, with stdin from a file.
run_in() {
	local in=$1
	shift
	"$JAILCTL_BIN" --socket "$SOCK" "$@" <"$in" >"$T/out" 2>"$T/err"
	RC=$?
}

# --- start our jaild ------------------------------------------------------
mkdir -p "$T"
"$JAILD_BIN" --data-dir "$T" --listen 127.0.0.1:0 --socket "$SOCK" \
    2>"$T/log" &
JAILD_PID=$!
for _ in $(seq 1 100); do
	[ -s "$T/listen.addr" ] && [ -S "$SOCK" ] && break
	sleep 0.1
done
if [ ! -s "$T/listen.addr" ] || [ ! -S "$SOCK" ]; then
	echo "Bail out! jaild did not start"
	sed 's/^/# /' "$T/log"
	exit 1
fi
echo "# jaild pid $JAILD_PID listening on $(cat "$T/listen.addr")"

# --- without a server: usage and connection errors -------------------------
run --version
expect_rc 0 "--version"
expect_out "jailctl " "--version names the program"

run help
expect_rc 0 "help"
cp "$T/out" "$T/help"
for c in ls get create apply edit set rm start stop restart host adopt events token audit export import ip pool mount policy effective; do
	if grep -q "^  $c " "$T/help"; then ok "help lists $c"; else not_ok "help lists $c"; fi
	run "$c" --help
	if [ "$RC" -eq 0 ] && grep -q "^Examples:" "$T/out" &&
	    grep -q "^usage: jailctl $c" "$T/out"; then
		ok "$c --help has usage and examples"
	else
		not_ok "$c --help has usage and examples"
	fi
done

run frobnicate
expect_rc 2 "unknown command"
run ls --no-such-option
expect_rc 2 "unknown option"
expect_err "unknown option --no-such-option" "unknown option is named"
run create web1
expect_rc 2 "create without --path"
run create web1 --path /j/web1 --wait=forever
expect_rc 2 "create with a bad --wait"
run create web1 --path /j/web1 --mount nullfs
expect_rc 2 "create with a bad --mount"
run set web1 nonsense=1
expect_rc 2 "set of an unknown field"
run get
expect_rc 2 "get without a name"
run -o yaml ls
expect_rc 2 "unknown -o format"

"$JAILCTL_BIN" --socket "$T/nobody-listens.sock" ls >"$T/out" 2>"$T/err"
RC=$?
expect_rc 3 "jaild not running"
expect_err "cannot connect to jaild at unix:$T/nobody-listens.sock" \
    "not running: says where it looked"
JAILD_URL=http://127.0.0.1:1 "$JAILCTL_BIN" host >"$T/out" 2>"$T/err"
RC=$?
expect_rc 3 "JAILD_URL to a closed port"

# --- empty ------------------------------------------------------------------
run ls
expect_rc 0 "ls of nothing"
expect_out_line "NAME  STATE  JID  IP  HOSTNAME  PATH" "ls prints the header"
run ls -o json
expect_json 'd == []' "ls -o json of nothing is []"

# --- create -----------------------------------------------------------------
run create web1 --path /usr/local/jails/web1 --hostname web1.example.org \
    --ip 'em0|10.0.0.5/24' --ip 10.0.0.6 --ip 'em0|2001:db8::5/64' \
    --mount devfs::/dev --mount nullfs:/usr/local/jails/base:/basejail:ro \
    --mount tmpfs::/tmp --param securelevel=3 --param allow.raw_sockets=false \
    --label env=prod --label tier=web --depends db1
expect_rc 0 "create web1 with ips, mounts, params, labels"
expect_out_line "web1 created" "create says created"
run get web1
expect_rc 0 "get web1"
expect_json 'd["name"] == "web1" and d["path"] == "/usr/local/jails/web1"' \
    "get: name and path"
expect_json 'd["hostname"] == "web1.example.org" and d["state"] == "stopped"' \
    "get: hostname, stopped without --start"
expect_json '[(i["interface"], i["address"], i["family"]) for i in d["ips"]] == [("em0", "10.0.0.5/24", "inet"), (None, "10.0.0.6/32", "inet"), ("em0", "2001:db8::5/64", "inet6")]' \
    "get: ips with interface (| literal), bare address, families"
expect_json '[(m["type"], m["target"]) for m in d["mounts"]] == [("devfs", "/dev"), ("nullfs", "/basejail"), ("tmpfs", "/tmp")]' \
    "get: mounts in order"
expect_json 'd["mounts"][1]["source"] == "/usr/local/jails/base" and d["mounts"][1]["options"] == ["ro"] and "source" not in d["mounts"][0]' \
    "get: nullfs source and ro, devfs without source"
expect_json 'd["params"]["securelevel"] == 3 and type(d["params"]["securelevel"]) is int and d["params"]["allow.raw_sockets"] is False' \
    "get: params typed (integer, boolean)"
expect_json 'd["labels"] == {"env": "prod", "tier": "web"} and d["depends"] == ["db1"]' \
    "get: labels and depends"
expect_json 'list(d)[:4] == ["name", "path", "hostname", "state"] and list(d)[-1] == "status"' \
    "get -o json keeps the server's key order"
run get web1 -o name
expect_out_line "web1" "get -o name"

run create web1 --path /j/other
expect_rc 1 "create of an existing name"

# A validation error lists every bad field on its own line.
run create bad1 --path relative/path --param securelevel=9 --label 'bad key!=x'
expect_rc 1 "create with three bad fields"
expect_err "jailctl: " "problem rendered with the program name"
for f in /path /params/securelevel; do
	if grep -q "^  $f: " "$T/err"; then ok "bad field $f on its own line"
	else not_ok "bad field $f on its own line"; fi
done
if grep -q "^  /labels" "$T/err"; then ok "bad label on its own line"
else not_ok "bad label on its own line"; fi
run get bad1
expect_rc 1 "nothing was created by the bad request"

run get nosuchjail
expect_rc 1 "get of an unknown jail"
if grep -qi "not found" "$T/err" && [ ! -s "$T/out" ]; then
	ok "unknown jail: the problem on stderr, nothing on stdout"
else
	not_ok "unknown jail: the problem on stderr, nothing on stdout"
fi

run create db1 --path /usr/local/jails/db1 --ip 10.0.1.7/24 --label env=prod
expect_rc 0 "create db1"
run create app1 --path /usr/local/jails/app1 --label env=dev
expect_rc 0 "create app1"

# --- ls -----------------------------------------------------------------------
run ls
expect_rc 0 "ls"
expect_out_line "NAME  STATE    JID  IP        HOSTNAME          PATH" \
    "ls header, columns sized to the widest cell"
if awk 'NR == 1 { next } { print $1 }' "$T/out" | tr '\n' ' ' |
    grep -qx "app1 db1 web1 "; then ok "ls rows ordered by name"
else not_ok "ls rows ordered by name"; fi
if awk '$1 == "web1" && $2 == "stopped" && $3 == "-" && $4 == "10.0.0.5" &&
    $5 == "web1.example.org" && $6 == "/usr/local/jails/web1"' "$T/out" |
    grep -q web1; then ok "ls row of web1"
else not_ok "ls row of web1"; fi
if awk '$1 == "app1" && $4 == "-" && $5 == "-"' "$T/out" | grep -q app1; then
	ok "ls shows - for no address and no hostname"
else not_ok "ls shows - for no address and no hostname"; fi

COLUMNS=40 "$JAILCTL_BIN" --socket "$SOCK" ls >"$T/out" 2>"$T/err"
RC=$?
expect_rc 0 "ls in 40 columns"
if awk 'length($0) > 40 { bad = 1 } END { exit bad }' "$T/out" &&
    [ "$(wc -l <"$T/out")" -eq 4 ] && grep -q "^web1 " "$T/out"; then
	ok "ls fits 40 columns without wrapping"
else not_ok "ls fits 40 columns without wrapping"; fi

run ls --limit 1 -o name
expect_rc 0 "ls follows next_cursor page by page"
if [ "$(tr '\n' ' ' <"$T/out")" = "app1 db1 web1 " ]; then
	ok "ls -o name over three pages"
else not_ok "ls -o name over three pages"; fi
run ls --label env=prod -o name
if [ "$(tr '\n' ' ' <"$T/out")" = "db1 web1 " ]; then ok "ls --label filter"
else not_ok "ls --label filter"; fi
run ls --label env=prod --label tier=web -o name
if [ "$(tr '\n' ' ' <"$T/out")" = "web1 " ]; then ok "ls with two labels"
else not_ok "ls with two labels"; fi
run ls --state running -o name
expect_rc 0 "ls --state"
if [ ! -s "$T/out" ]; then ok "ls --state running: none yet"
else not_ok "ls --state running: none yet"; fi
run ls --phase bogus
expect_rc 1 "ls with a phase jaild refuses"
expect_err "/query/phase" "bad query parameter named"
run ls -o json --limit 2
expect_rc 0 "ls -o json"
expect_json '[j["name"] for j in d] == ["app1", "db1", "web1"]' \
    "ls -o json is one array of every item"
expect_json 'list(d[2])[:4] == ["name", "path", "hostname", "state"]' \
    "ls -o json keeps the server's key order"
if head -c 4 "$T/out" | grep -q '^\[' && sed -n 2p "$T/out" | grep -q '^  {'; then
	ok "ls -o json indents by two"
else not_ok "ls -o json indents by two"; fi

# --- set ------------------------------------------------------------------
run set web1 hostname=www.example.org param.securelevel=2 \
    param.allow.raw_sockets=true label.env= label.team=ops restart_policy=auto
expect_rc 0 "set several fields"
expect_out_line "web1 configured" "set says configured"
run get web1
expect_json 'd["hostname"] == "www.example.org" and d["restart_policy"] == "auto"' \
    "set: top-level fields"
expect_json 'd["params"]["securelevel"] == 2 and d["params"]["allow.raw_sockets"] is True' \
    "set: typed params"
expect_json 'd["labels"] == {"tier": "web", "team": "ops"}' \
    "set: label.env= removed the label"
expect_json 'd["generation"] == 2' "set bumped the generation once"
run set web1 hostname=www.example.org
expect_rc 0 "set to the same value"
expect_out_line "web1 unchanged" "set of the same value says unchanged"
run set web1 param.securelevel=7
expect_rc 1 "set of a bad value"
if grep -q "^  /params/securelevel: " "$T/err"; then ok "set: the bad field shown"
else not_ok "set: the bad field shown"; fi
run set nosuchjail hostname=x
expect_rc 1 "set of an unknown jail"

# --- apply ----------------------------------------------------------------
cat >"$T/jails.ndjson" <<'DOCS'
{"name": "ap1", "path": "/usr/local/jails/ap1", "hostname": "ap1.example.org"}
{"name": "ap2", "path": "/usr/local/jails/ap2", "labels": {"env": "ci"}}
DOCS
run apply -f "$T/jails.ndjson"
expect_rc 0 "apply one object per line"
expect_out_line "ap1 created" "apply: ap1 created"
expect_out_line "ap2 created" "apply: ap2 created"
run apply -f "$T/jails.ndjson"
expect_rc 0 "apply again"
expect_out_line "ap1 unchanged" "apply is idempotent: ap1 unchanged"
expect_out_line "ap2 unchanged" "apply is idempotent: ap2 unchanged"
cat >"$T/jails.json" <<'DOCS'
[
  {"name": "ap1", "path": "/usr/local/jails/ap1", "hostname": "ap1.example.net"},
  {"name": "ap3", "path": "/usr/local/jails/ap3"}
]
DOCS
run_in "$T/jails.json" apply -f -
expect_rc 0 "apply an array from stdin"
expect_out_line "ap1 configured" "apply: a changed document is configured"
expect_out_line "ap3 created" "apply: a new one in the array is created"
"$JAILCTL_BIN" --socket "$SOCK" get ap2 >"$T/ap2.json"
run apply -f "$T/ap2.json"
expect_rc 0 "apply of a GET body"
expect_out_line "ap2 unchanged" "a GET body PUT back is unchanged"
printf '{"name": "ap4", "path": \n' >"$T/broken.json"
run apply -f "$T/broken.json"
expect_rc 2 "apply of malformed JSON"
run get ap4
expect_rc 1 "nothing applied from a malformed file"
run apply -f "$T/does-not-exist.json"
expect_rc 2 "apply of a missing file"
echo '{"name": "ap5", "path": "not/absolute"}' >"$T/bad.json"
run apply -f "$T/bad.json"
expect_rc 1 "apply of an invalid document"
if grep -q "^  /path: " "$T/err"; then ok "apply: the bad field shown"
else not_ok "apply: the bad field shown"; fi

# --- edit -----------------------------------------------------------------
EDITOR="sed -i s/ap1.example.net/ap1.edited.org/" run edit ap1
expect_rc 0 "edit with a sed script as the editor"
expect_out_line "ap1 edited" "edit says edited"
run get ap1
expect_json 'd["hostname"] == "ap1.edited.org"' "edit: the change was saved"
EDITOR=true run edit ap1
expect_rc 0 "edit without changes"
expect_out "no edits" "edit without changes says so"
# Someone changes the jail while the editor is open: the PUT must be refused.
cat >"$T/racing-editor.sh" <<ED
#!/bin/sh
"$JAILCTL_BIN" --socket "$SOCK" set ap1 hostname=meanwhile.example.org >/dev/null
sed -i s/ap1.edited.org/ap1.mine.org/ "\$1"
ED
chmod +x "$T/racing-editor.sh"
EDITOR="$T/racing-editor.sh" run edit ap1
expect_rc 1 "edit racing another change"
expect_err "changed by someone else meanwhile" "edit explains the 412"
run get ap1
expect_json 'd["hostname"] == "meanwhile.example.org"' \
    "edit did not overwrite the other change"
cat >"$T/bad-editor.sh" <<'ED'
#!/bin/sh
sed -i 's|"/usr/local/jails/ap1"|"not/absolute"|' "$1"
ED
chmod +x "$T/bad-editor.sh"
EDITOR="$T/bad-editor.sh" run edit ap1
expect_rc 1 "edit to an invalid document"
expect_err "your edit is kept in" "edit keeps the refused edit"

# --- start / stop / restart -----------------------------------------------
run start db1 --wait=30
expect_rc 0 "start --wait"
expect_out_line "db1 running" "start --wait ends running"
run get db1
expect_json 'd["status"]["phase"] == "running" and isinstance(d["status"]["jid"], int)' \
    "started: phase running with a jid"
run ls -o name --phase running
if [ "$(tr '\n' ' ' <"$T/out")" = "db1 " ]; then ok "ls --phase running"
else not_ok "ls --phase running"; fi
run ls
if awk '$1 == "db1" && $2 == "running" && $3 ~ /^[0-9]+$/ && $4 == "10.0.1.7"' \
    "$T/out" | grep -q db1; then ok "ls shows the running jail's jid"
else not_ok "ls shows the running jail's jid"; fi
run restart db1 --wait=30
expect_rc 0 "restart --wait"
expect_out_line "db1 running" "restart --wait ends running"
run stop db1 --wait=30
expect_rc 0 "stop --wait"
expect_out_line "db1 stopped" "stop --wait ends stopped"
run get db1
expect_json 'd["status"]["phase"] == "stopped" and d["status"]["jid"] is None' \
    "stopped: no jid"
run start app1 ap2
expect_rc 0 "start two without waiting"
expect_out_line "app1 starting" "start without --wait: app1 starting"
expect_out_line "ap2 starting" "start without --wait: ap2 starting"
run stop nosuchjail
expect_rc 1 "stop of an unknown jail"
# A dependency that does not exist keeps the jail pending: time runs out.
run create dep1 --path /usr/local/jails/dep1 --depends ghost --start --wait=2
expect_rc 4 "create --start --wait on a jail that cannot settle"
expect_err "timed out" "the wait says it timed out"

# --- host -------------------------------------------------------------------
run host
expect_rc 0 "host"
expect_out "backend:" "host shows the backend"
run host -o json
expect_json 'd["backend"] == "sim" and "counts" in d and d["counts"]["jails"] >= 6' \
    "host -o json"
# web1 depends on db1: both must come up.
run start db1 web1 --wait=30
expect_rc 0 "start a jail and its dependency"
expect_out_line "web1 running" "web1 runs once db1 does"
run host prisons
expect_rc 0 "host prisons"
if head -1 "$T/out" | grep -q "^NAME  *JID  *MANAGED"; then ok "host prisons header"
else not_ok "host prisons header"; fi
if awk '$1 == "web1" && $3 == "yes"' "$T/out" | grep -q web1; then
	ok "host prisons: web1 is managed"
else not_ok "host prisons: web1 is managed"; fi
run host params -o json
expect_rc 0 "host params"
expect_json 'any(p["name"] == "securelevel" for p in d)' "host params lists securelevel"

# --- adopt ------------------------------------------------------------------
if "$JAILD_SIM_BIN" --data-dir "$T" create legacy1 path=/x >"$T/sim.out" 2>&1; then
	ok "jaild-sim created an unmanaged prison"
else
	RC=$?; cp "$T/sim.out" "$T/err"; : >"$T/out"
	not_ok "jaild-sim created an unmanaged prison"
fi
# jaild sees a prison made by hand at its next resync (every 5 s).
for _ in $(seq 1 40); do
	run host prisons -o name
	grep -qx legacy1 "$T/out" && break
	sleep 0.5
done
run host prisons -o json
expect_json 'any(p["name"] == "legacy1" and p["managed"] is False for p in d)' \
    "host prisons shows the unmanaged prison"
run adopt legacy1
expect_rc 0 "adopt"
expect_out_line "legacy1 adopted" "adopt says adopted"
run get legacy1
expect_rc 0 "the adopted prison is a jail"
expect_json 'd["path"] == "/x"' "adopted jail keeps its path"
run adopt legacy1
expect_rc 1 "adopt twice"
run adopt nosuchprison
expect_rc 1 "adopt of an unknown prison"

# --- rm -----------------------------------------------------------------------
run rm web1 --wait=30
expect_rc 0 "rm --wait of a running jail"
expect_out_line "web1 deleted" "rm --wait says deleted"
run get web1
expect_rc 1 "the removed jail is gone"
run rm ap3 app1
expect_rc 0 "rm of two"
run rm nosuchjail
expect_rc 1 "rm of an unknown jail"

# --- events -----------------------------------------------------------------
run events
expect_rc 0 "events"
if head -1 "$T/out" | grep -q "^ID  *TIME  *JAIL  *TYPE  *MESSAGE"; then
	ok "events header"
else not_ok "events header"; fi
if awk '$3 == "web1" && $4 == "created"' "$T/out" | grep -q web1; then
	ok "events shows web1 created"
else not_ok "events shows web1 created"; fi
run events -o json
expect_rc 0 "events -o json"
expect_json 'len(d) >= 5 and [e["id"] for e in d] == sorted(e["id"] for e in d)' \
    "events in id order"
expect_json 'any(e["type"] == "adopted" and e["jail"] == "legacy1" for e in d)' \
    "events include the adoption"
LAST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[-1]["id"])' "$T/out")
run events --since $((LAST - 1)) -o json
expect_json "[e['id'] for e in d] == [$LAST]" "events --since"
run events --since x
expect_rc 2 "events --since with a non-number"

# --- export -------------------------------------------------------------------
run export
expect_rc 0 "export"
expect_out_line "legacy1 {" "export has the adopted jail's block"
expect_out "path = " "export has paths"
run export legacy1
expect_rc 0 "export NAME"
expect_out_line "legacy1 {" "export NAME prints that jail"
run export no-such-jail
expect_rc 1 "export of an unknown jail"
expect_err "no-such-jail" "the error names the jail"

# --- import -------------------------------------------------------------------
cat >"$T/jail.conf" <<'CONF'
path = "/usr/local/jails/$name";
mount.devfs;
imp1 {
	ip4.addr = "em0|192.0.2.201/24";
	exec.start = "/bin/sh /etc/rc";
	zfs.dataset = "tank/imp1";
}
CONF
run import --dry-run "$T/jail.conf"
expect_rc 0 "import --dry-run"
expect_out_line "imp1 would be created or replaced" "dry run names the jail"
expect_err "zfs.dataset not imported (line 6)" "dry run says what is left out, with its line"
run get imp1
expect_rc 1 "a dry run creates nothing"
run import "$T/jail.conf"
expect_rc 0 "import"
expect_out_line "imp1 created" "import creates"
run import "$T/jail.conf"
expect_out_line "imp1 unchanged" "importing again changes nothing"
run get imp1
expect_json 'd["ips"][0]["address"] == "192.0.2.201/24" and d["mounts"][0]["type"] == "devfs"' \
    "imported jail has its address and devfs"
printf 'broken {\n  path = "/x"\n  oops = ;\n}\n' >"$T/broken.conf"
run import "$T/broken.conf"
expect_rc 1 "import of a broken file"
expect_err "line 3" "the error names its line"
run import
expect_rc 2 "import without a file"

# --- addresses and pools -------------------------------------------------------
run pool add lan2 --interface em0 --cidr 198.51.100.0/29 --exclude 198.51.100.1
expect_rc 0 "pool add"
run pool ls
expect_out "198.51.100.0/29" "pool ls shows the network"
run ip add imp1 --pool lan2
expect_rc 0 "ip add --pool"
expect_out_line "imp1 198.51.100.2/29 added" "the lowest free address, skipping the network and the excluded one"
run ip add imp1 2001:db8::7 --interface em0
expect_out_line "imp1 2001:db8::7/128 added" "a bare IPv6 address gets /128"
run ip ls imp1 -o json
expect_json 'sorted(i["address"] for i in d) == sorted(["192.0.2.201/24", "198.51.100.2/29", "2001:db8::7/128"])' \
    "ip ls lists every address"
run ip rm imp1 198.51.100.2
expect_rc 0 "ip rm"
run ip rm imp1 198.51.100.2
expect_rc 1 "ip rm of an address the jail does not have"
run pool add bad --interface em0 --cidr 198.51.100.1/29
expect_rc 1 "a pool whose network has host bits"
run ip add imp1
expect_rc 2 "ip add without an address or pool"
run pool rm lan2
expect_rc 0 "pool rm"

# --- the server stopped -------------------------------------------------------
kill "$JAILD_PID"
wait "$JAILD_PID" 2>/dev/null
JAILD_PID=
run ls
expect_rc 3 "jaild gone"

echo "1..$NTEST"
if [ "$NFAIL" -ne 0 ]; then
	echo "# $NFAIL of $NTEST failed; jaild log:"
	sed 's/^/# /' "$T/log" | tail -40
	exit 1
fi
exit 0
