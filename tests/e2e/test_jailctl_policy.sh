#!/usr/bin/env bash
#
# test_jailctl_policy.sh - jailctl policy ls|get|apply|rm and jailctl
# effective end to end: a jaild of our own on the simulated host, a policy
# with parameters and rctl limits made from flags, a jail that follows it,
# the effective view, the parameter and the rules on the simulated host,
# rm refused while the policy is in use, then detached and removed.
#
# The host's rctl rules are read back with `jaild-sim rctl`.
#
# Environment (set by ctest): JAILD_BIN, JAILD_SIM_BIN, JAILCTL_BIN.
set -u

JAILD_BIN=${JAILD_BIN:?JAILD_BIN must name the jaild binary}
JAILD_SIM_BIN=${JAILD_SIM_BIN:-$(dirname "$JAILD_BIN")/jaild-sim}
JAILCTL_BIN=${JAILCTL_BIN:-$(dirname "$JAILD_BIN")/jailctl}
for b in "$JAILCTL_BIN" "$JAILD_SIM_BIN"; do
	if [ ! -x "$b" ]; then
		echo "Bail out! no $b"
		exit 1
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/jailctl-policy.XXXXXX")
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
# run_in FILE ARGS...: as run, with stdin from FILE.
run_in() {
	local in=$1
	shift
	"$JAILCTL_BIN" --socket "$SOCK" "$@" <"$in" >"$T/out" 2>"$T/err"
	RC=$?
}

# host_rules: the simulated host's rctl rules of jail pj1, one per line,
# into $T/out (what the kernel would report, through jaild-sim).
host_rules() {
	"$JAILD_SIM_BIN" --data-dir "$T" rctl jail:pj1 >"$T/out" 2>"$T/err"
}
# wait_host_rule (present|absent) RULE: poll the host's rules up to 20 s.
wait_host_rule() {
	local i
	for i in $(seq 1 40); do
		if ! host_rules; then
			sleep 0.5
			continue
		fi
		if grep -qxF -- "$2" "$T/out"; then
			[ "$1" = present ] && return 0
		else
			[ "$1" = absent ] && return 0
		fi
		sleep 0.5
	done
	return 1
}
# sim_param JAIL PARAM: the prison's parameter on the simulated host.
sim_param() {
	"$JAILD_SIM_BIN" --data-dir "$T" ls --json 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    if p["name"] == sys.argv[1]:
        print(p["params"].get(sys.argv[2], ""))' "$1" "$2"
}

# --- start our jaild ------------------------------------------------------
"$JAILD_BIN" --data-dir "$T" --listen 127.0.0.1:0 --socket "$SOCK" \
    -o resync_interval_s=1 2>"$T/log" &
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

# --- help and usage errors (nothing sent) ------------------------------------
run help
for c in policy effective; do
	if grep -q "^  $c " "$T/out"; then ok "help lists $c"; else not_ok "help lists $c"; fi
done
for c in policy effective; do
	run "$c" --help
	if [ "$RC" -eq 0 ] && grep -q "^usage: jailctl $c" "$T/out" &&
	    grep -q "^Examples:" "$T/out"; then ok "$c --help has usage and examples"
	else not_ok "$c --help has usage and examples"; fi
done
run policy
expect_rc 2 "policy without a subcommand"
run policy frobnicate
expect_rc 2 "policy with an unknown subcommand"
run policy apply p1 --limit memoryuse
expect_rc 2 "--limit without ACTION=AMOUNT"
expect_err "RESOURCE:ACTION=AMOUNT[/PER]" "the --limit syntax is shown"
run policy apply p1 --limit maxproc:deny=5/
expect_rc 2 "--limit with an empty PER"
run policy apply p1 --param securelevel
expect_rc 2 "--param without ="
run policy get p1 --param securelevel=1
expect_rc 2 "--param on policy get"
run policy apply p1 -f "$T/nothing.json" --param securelevel=1
expect_rc 2 "-f together with flags"
run policy apply p1 -f "$T/nothing.json"
expect_rc 2 "-f of a missing file"
printf '{"name": "p1", "params": \n' >"$T/broken.json"
run policy apply p1 -f "$T/broken.json"
expect_rc 2 "-f of malformed JSON"
run policy get
expect_rc 2 "policy get without a name"
run effective
expect_rc 2 "effective without a jail"
run effective a b
expect_rc 2 "effective with two jails"

# --- no policies yet ----------------------------------------------------------
run policy ls
expect_rc 0 "policy ls of nothing"
expect_out_line "NAME  PARAMS  LIMITS  USED-BY" "policy ls prints its header"
run policy ls -o json
expect_json 'd == []' "policy ls -o json of nothing is []"
run policy get nosuch
expect_rc 1 "policy get of an unknown policy"
run policy rm nosuch
expect_rc 1 "policy rm of an unknown policy"

# --- a policy from flags ------------------------------------------------------
run policy apply pw --description "web servers" --param securelevel=3 \
    --param allow.raw_sockets=false --limit memoryuse:deny=512m \
    --limit maxproc:deny=100/process
expect_rc 0 "policy apply from flags"
expect_out_line "pw created" "policy apply says created"
run policy get pw -o json
expect_rc 0 "policy get -o json"
expect_json 'd["name"] == "pw" and d["description"] == "web servers" and d["used_by"] == []' \
    "the policy: name, description, not used"
expect_json 'd["params"] == {"securelevel": 3, "allow.raw_sockets": False} and type(d["params"]["securelevel"]) is int' \
    "--param typed as for create (integer, boolean)"
expect_json 'd["limits"] == [{"resource": "memoryuse", "action": "deny", "amount": 536870912, "per": "jail"}, {"resource": "maxproc", "action": "deny", "amount": 100, "per": "process"}]' \
    "--limit: 512m expanded by jaild, /process sets per, jail by default"
run policy get pw --json
expect_json 'd["name"] == "pw" and isinstance(d["resource_version"], int)' \
    "--json is -o json"
run policy get pw
expect_rc 0 "policy get, readable"
expect_out_line "  securelevel=3" "policy get lists a param as K=V"
expect_out_line "  memoryuse:deny=536870912" "policy get lists a limit in --limit syntax"
expect_out_line "  maxproc:deny=100/process" "policy get shows a per other than jail"
run policy apply pw --description "web servers" --param securelevel=3 \
    --param allow.raw_sockets=false --limit memoryuse:deny=512m \
    --limit maxproc:deny=100/process
expect_rc 0 "the same policy again"
expect_out_line "pw unchanged" "applying the same flags again is unchanged"
run policy ls
expect_rc 0 "policy ls"
expect_awk '$1 == "pw" && $2 == "2" && $3 == "2" && $4 == "-"' \
    "policy ls row: 2 params, 2 limits, unused"
run policy ls -o name
expect_out_line "pw" "policy ls -o name"

# Refused by jaild: each bad field named.
run policy apply bad --limit cputime:deny=10 --limit memoryuse:deny=12q
expect_rc 1 "a policy with limits jaild refuses"
expect_err "/limits/0/action" "deny on cputime is named"
expect_err "/limits/1/amount" "a bad amount is named"
run policy get bad
expect_rc 1 "nothing stored by the refused apply"

# PUT replaces: flags are the whole policy.
run policy apply tmp --description "first" --param securelevel=1
expect_out_line "tmp created" "a second policy"
run policy apply tmp --limit openfiles:deny=1k
expect_rc 0 "apply with other flags"
expect_out_line "tmp configured" "a changed policy is configured"
run policy get tmp -o json
expect_json 'd["description"] == "" and d["params"] == {} and d["limits"] == [{"resource": "openfiles", "action": "deny", "amount": 1024, "per": "jail"}]' \
    "apply without -f replaced the whole policy"

# -f: a GET body applied back is unchanged; the name may come from the file.
"$JAILCTL_BIN" --socket "$SOCK" policy get pw -o json >"$T/pw.json"
run policy apply pw -f "$T/pw.json"
expect_rc 0 "policy apply -f of a GET body"
expect_out_line "pw unchanged" "a GET body applied back is unchanged"
echo '{"name": "fromstdin", "params": {"enforce_statfs": 1}}' >"$T/stdin.json"
run_in "$T/stdin.json" policy apply -f -
expect_rc 0 "policy apply -f - without NAME"
expect_out_line "fromstdin created" "the name comes from the document"
run policy rm tmp fromstdin
expect_rc 0 "policy rm of two unused policies"
expect_out_line "tmp deleted" "policy rm says deleted"

# --- a jail that follows it ---------------------------------------------------
echo '{"name": "pj1", "path": "/usr/local/jails/pj1", "policies": ["nosuch"]}' \
    >"$T/pj1-bad.json"
run apply -f "$T/pj1-bad.json"
expect_rc 1 "a jail listing an unknown policy"
expect_err "/policies/0" "the unknown policy is named"
cat >"$T/pj1.json" <<'DOC'
{"name": "pj1", "path": "/usr/local/jails/pj1", "state": "running",
 "policies": ["pw"], "params": {"allow.raw_sockets": true}}
DOC
run apply -f "$T/pj1.json" --wait=30
expect_rc 0 "a running jail that follows pw"
run effective pj1
expect_rc 0 "effective"
if head -1 "$T/out" | grep -q '^PARAM  *VALUE  *LAYER$'; then ok "effective header"
else not_ok "effective header"; fi
expect_awk '$1 == "securelevel" && $2 == "3" && $3 == "policy:pw"' \
    "securelevel comes from layer policy:pw"
expect_awk '$1 == "allow.raw_sockets" && $2 == "true" && $3 == "jail"' \
    "the jail's own param wins over the policy"
expect_awk '$1 == "enforce_statfs" && $3 == "default"' \
    "a catalog default shows layer default"
expect_awk '$1 == "jail:pj1:memoryuse:deny=536870912" && $2 == "pw"' \
    "the limit as its rule text, with its policy"
expect_awk '$1 == "jail:pj1:maxproc:deny=100/process" && $2 == "pw"' \
    "a per-process limit's rule ends in /process"
run effective pj1 --json
expect_json 'd["name"] == "pj1" and d["policies"] == ["pw"]' "effective --json: jail and policies"
expect_json 'd["params"]["allow.raw_sockets"]["shadowed"][0] == {"value": False, "layer": "policy", "policy": "pw"}' \
    "effective --json: the nearest value the jail's own shadows is pw's"
expect_json '[l["rule"] for l in d["limits"]] == ["jail:pj1:memoryuse:deny=536870912", "jail:pj1:maxproc:deny=100/process"]' \
    "effective --json: the rules in order"
run effective nosuch
expect_rc 1 "effective of an unknown jail"

# The simulated host got the parameter and the rules.
for _ in $(seq 1 40); do
	[ "$(sim_param pj1 securelevel)" = 3 ] && break
	sleep 0.5
done
if [ "$(sim_param pj1 securelevel)" = 3 ]; then ok "the prison runs with securelevel 3"
else RC=-; not_ok "the prison runs with securelevel 3 (got '$(sim_param pj1 securelevel)')"; fi
RC=-
if wait_host_rule present "jail:pj1:memoryuse:deny=536870912"; then
	ok "the host has the memoryuse rule"
else not_ok "the host has the memoryuse rule"; fi
if wait_host_rule present "jail:pj1:maxproc:deny=100/process"; then
	ok "the host has the per-process maxproc rule"
else not_ok "the host has the per-process maxproc rule"; fi

run policy ls
expect_awk '$1 == "pw" && $4 == "pj1"' "policy ls: pw used by pj1"

# --- rm refused while in use -------------------------------------------------
run policy rm pw
expect_rc 1 "policy rm of a policy in use"
expect_err "used by" "the refusal says it is in use"
expect_err "pj1" "the refusal names the jail"
if [ ! -s "$T/out" ]; then ok "nothing on stdout for the refused rm"
else not_ok "nothing on stdout for the refused rm"; fi
run policy get pw -o json
expect_rc 0 "pw is still there"
expect_json 'd["used_by"] == ["pj1"]' "used_by names the jail"

# --- changing the policy reaches the jail -----------------------------------
run policy apply pw --description "web servers" --param securelevel=3 \
    --param allow.raw_sockets=false --limit memoryuse:deny=1g \
    --limit maxproc:deny=100/process
expect_rc 0 "policy apply of a changed limit"
expect_out_line "pw configured" "a changed policy in use is configured"
run events --jail pj1 -o json
expect_json 'any(e["type"] == "policy_changed" for e in d)' \
    "the jail got a policy_changed event"
RC=-
if wait_host_rule present "jail:pj1:memoryuse:deny=1073741824"; then
	ok "the host's rule follows the changed policy"
else not_ok "the host's rule follows the changed policy"; fi
if grep -qxF "jail:pj1:memoryuse:deny=536870912" "$T/out"; then
	not_ok "the old amount is gone from the host"
else ok "the old amount is gone from the host"; fi

# --- detach, then rm succeeds ----------------------------------------------
cat >"$T/pj1.json" <<'DOC'
{"name": "pj1", "path": "/usr/local/jails/pj1", "state": "running",
 "params": {"allow.raw_sockets": true}}
DOC
run apply -f "$T/pj1.json" --wait=30
expect_rc 0 "the jail without its policy"
expect_out_line "pj1 configured (running)" "dropping the policy changed the jail"
run effective pj1
expect_rc 0 "effective after detaching"
expect_no_awk '$3 == "policy:pw"' "no value comes from pw any more"
expect_no_awk '$1 ~ /^jail:pj1:/' "no limits any more"
RC=-
if wait_host_rule absent "jail:pj1:memoryuse:deny=1073741824"; then
	ok "the host's memoryuse rule was removed"
else not_ok "the host's memoryuse rule was removed"; fi
if wait_host_rule absent "jail:pj1:maxproc:deny=100/process"; then
	ok "the host's maxproc rule was removed"
else not_ok "the host's maxproc rule was removed"; fi
host_rules
if [ $? -eq 0 ] && [ ! -s "$T/out" ]; then ok "the host has no rules for the jail"
else not_ok "the host has no rules for the jail"; fi
# create --policy and set policies= attach and detach too.
run create pj2 --path /usr/local/jails/pj2 --policy pw
expect_rc 0 "create --policy"
run get pj2 -o json
expect_json 'd["policies"] == ["pw"]' "create --policy lists the policy"
run set pj2 policies=
expect_rc 0 "set policies= (none)"
run get pj2 -o json
expect_json 'd["policies"] == []' "set policies= detaches every policy"
run set pj2 policies=pw,nope
expect_rc 1 "set policies= naming an unknown policy"
expect_err "/policies/1" "the unknown policy is named by its index"
run rm pj2
expect_rc 0 "rm pj2"

run policy rm pw
expect_rc 0 "policy rm once no jail uses it"
expect_out_line "pw deleted" "policy rm says deleted"
run policy get pw
expect_rc 1 "the removed policy is gone"
run policy ls -o name
if [ ! -s "$T/out" ]; then ok "no policies left"; else not_ok "no policies left"; fi

# --- jaild gone ----------------------------------------------------------------
kill "$JAILD_PID"
wait "$JAILD_PID" 2>/dev/null
JAILD_PID=
run policy ls
expect_rc 3 "policy ls without jaild"
run effective pj1
expect_rc 3 "effective without jaild"

echo "1..$NTEST"
if [ "$NFAIL" -ne 0 ]; then
	echo "# $NFAIL of $NTEST failed; jaild log:"
	sed 's/^/# /' "$T/log" | tail -40
	exit 1
fi
exit 0
