#!/usr/bin/env bash
#
# test_jailctl_auth.sh - jailctl against jaild's security: credentials
# (--token, --token-file, JAILD_TOKEN, the data directory's admin token),
# token create/ls/rm, scopes and delegation as jailctl renders them, the
# audit log, 401/403/429 messages, and TLS with --pinnedpubkey and
# --cacert.  Two jailds of our own: plain HTTP on 127.0.0.1:0 plus a unix
# socket, and one with -o tls=on.  At the end no secret may appear in
# anything jailctl wrote to stderr or in either jaild's log.
#
# Environment (set by ctest): JAILD_BIN, JAILCTL_BIN.
set -u

JAILD_BIN=${JAILD_BIN:?JAILD_BIN must name the jaild binary}
JAILCTL_BIN=${JAILCTL_BIN:-$(dirname "$JAILD_BIN")/jailctl}
if [ ! -x "$JAILCTL_BIN" ]; then
	echo "Bail out! no jailctl at $JAILCTL_BIN"
	exit 1
fi
# jailctl runs from other directories below.
JAILCTL_BIN=$(cd "$(dirname "$JAILCTL_BIN")" && pwd)/$(basename "$JAILCTL_BIN")
unset JAILD_TOKEN JAILD_URL

T=$(mktemp -d "${TMPDIR:-/tmp}/jailctl-auth.XXXXXX")
D=$T/var			# the plain jaild's data directory
D2=$T/tls			# the TLS jaild's
E=$T/empty			# a working directory without ./var
mkdir -p "$D" "$D2" "$E"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"

# run ARGS...: jailctl from a directory without ./var (so no default token
# is found unless a test asks for it); RC, $T/out and $T/err hold the
# result, and every stderr is kept in $T/allerr for the final grep.
run() {
	(cd "$E" && exec "$JAILCTL_BIN" "$@") >"$T/out" 2>"$T/err"
	RC=$?
	cat "$T/err" >>"$T/allerr"
}
# run_in DIR ARGS...: the same from DIR.
run_in() {
	local dir=$1
	shift
	(cd "$dir" && exec "$JAILCTL_BIN" "$@") >"$T/out" 2>"$T/err"
	RC=$?
	cat "$T/err" >>"$T/allerr"
}

json_get() {	# PYTHON-EXPR-OVER-d: print it (from $T/out)
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$T/out" "$1"
}

# start_jaild DATADIR LOG ARGS...: start one, wait for listen.addr and the
# socket; sets JPID.
start_jaild() {
	local dir=$1 log=$2
	shift 2
	"$JAILD_BIN" --data-dir "$dir" --listen 127.0.0.1:0 "$@" 2>"$log" &
	JPID=$!
	PIDS+=("$JPID")
	for _ in $(seq 1 100); do
		[ -s "$dir/listen.addr" ] && [ -S "$dir/jaild.sock" ] &&
		    [ -s "$dir/admin.token" ] && return 0
		sleep 0.1
	done
	echo "Bail out! jaild did not start in $dir"
	sed 's/^/# /' "$log"
	exit 1
}

start_jaild "$D" "$T/log"
ADDR=$(cat "$D/listen.addr")
URL=http://$ADDR
SOCK=$D/jaild.sock
ADMIN=$(head -1 "$D/admin.token")
echo "# plain jaild listening on $ADDR"
SECRETS=("$ADMIN")

# --- no credential, and the ways to give one ----------------------------------
run --url "$URL" ls
expect_rc 1 "TCP without a token"
expect_err "Authentication required" "the 401 is rendered with its title"
expect_err "no token was sent" "the 401 says no token was sent"
expect_err "--token-file" "the 401 says how to give one"
if [ ! -s "$T/out" ]; then ok "nothing on stdout after a 401"
else not_ok "nothing on stdout after a 401"; fi

run --url "$URL" --token-file "$D/admin.token" ls
expect_rc 0 "admin token via --token-file"
expect_out_line "NAME  STATE  JID  IP  HOSTNAME  PATH" "ls works with --token-file"
(cd "$E" && JAILD_TOKEN=$ADMIN exec "$JAILCTL_BIN" --url "$URL" ls) \
    >"$T/out" 2>"$T/err"
RC=$?
cat "$T/err" >>"$T/allerr"
expect_rc 0 "admin token via JAILD_TOKEN"
run --url "$URL" --token "$ADMIN" ls
expect_rc 0 "admin token via --token"
(cd "$E" && JAILD_URL=$URL JAILD_TOKEN=$ADMIN exec "$JAILCTL_BIN" host) \
    >"$T/out" 2>"$T/err"
RC=$?
cat "$T/err" >>"$T/allerr"
expect_rc 0 "JAILD_URL and JAILD_TOKEN together"

# The data directory's admin token is the default for the server that
# wrote it (./var/listen.addr names the URL) ...
run_in "$T" --url "$URL" ls
expect_rc 0 "default: ./var/admin.token for the URL in ./var/listen.addr"
# ... and for no other: the same port under another name gets nothing.
run_in "$T" --url "http://localhost:${ADDR##*:}" ls
expect_rc 1 "default token not sent to an address ./var/listen.addr does not name"
expect_err "no token was sent" "  ... and it says none was sent"

# --token-file wins over JAILD_TOKEN; a later --token over --token-file.
(cd "$E" && JAILD_TOKEN=jd_not-a-real-token exec "$JAILCTL_BIN" --url "$URL" \
    --token-file "$D/admin.token" ls) >"$T/out" 2>"$T/err"
RC=$?
cat "$T/err" >>"$T/allerr"
expect_rc 0 "--token-file wins over JAILD_TOKEN"

run --url "$URL" --token-file "$T/no-such-file" ls
expect_rc 2 "unreadable --token-file"
expect_err "cannot read the token file $T/no-such-file" "  ... is named"
printf 'jd_two words\n' >"$T/bad.token"
run --url "$URL" --token-file "$T/bad.token" ls
expect_rc 2 "a token file holding no token"
expect_no "two words" "$T/err" "  ... its content is not printed"
run --url "$URL" --cacert "$D/admin.token" ls
expect_rc 2 "--cacert with an http:// URL"
run --url "$URL" --pinnedpubkey sha256//short ls
expect_rc 2 "a malformed --pinnedpubkey"

# The unix socket as root: no token needed, and the admin token beside
# the socket is not sent by default (jaild trusts uid 0 there).
run --socket "$SOCK" -v ls
expect_rc 0 "unix socket as root without a token"
expect_no "Authorization" "$T/err" "  ... and none was sent (-v)"
run_in "$T" -v ls
expect_rc 0 "the default socket ./var/jaild.sock as root"
expect_err "> GET /v1/jails" "  ... -v traced the request"
expect_no "Authorization" "$T/err" "  ... without a token"
run --socket "$SOCK" --token jd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ls
expect_rc 1 "unix socket as root with a wrong token: the token counts"
expect_err "the token from --token was refused" "  ... and says so"

# -v shows the headers, never the secret.
run --url "$URL" --token "$ADMIN" -v ls
expect_rc 0 "-v with --token"
expect_err "> GET /v1/jails" "-v shows the request"
expect_err "Authorization: [not shown]" "-v masks the Authorization header"
expect_err "< HTTP/1.1 200" "-v shows the answer's status line"

# --- tokens ----------------------------------------------------------------
A=(--url "$URL" --token-file "$D/admin.token")
run "${A[@]}" token create ci --scope write -o name
expect_rc 0 "token create -o name"
CI=$(cat "$T/out")
SECRETS+=("$CI")
if [ "$(wc -l <"$T/out")" -eq 1 ] &&
    grep -qxE 'jd_[A-Za-z0-9_-]{43}' "$T/out"; then
	ok "  ... prints the secret alone on a line"
else not_ok "  ... prints the secret alone on a line"; fi
expect_err "only time the token is shown" "  ... warns that it is shown once"
echo "$CI" >"$T/ci.token"

run "${A[@]}" token create ci-json --scope read -o json
expect_rc 0 "token create -o json"
expect_json 'd["name"] == "ci-json" and d["scope"] == "read" and d["token"].startswith("jd_") and len(d["id"]) == 16' \
    "  ... the whole answer with id, scope and token"
SECRETS+=("$(json_get 'd["token"]')")
JSON_ID=$(json_get 'd["id"]')

run "${A[@]}" token create human --scope read
expect_rc 0 "token create, human form"
expect_out "scope:    read" "  ... shows the scope"
HUMAN=$(sed -n 's/^token: *//p' "$T/out")
SECRETS+=("$HUMAN")
if [[ $HUMAN == jd_* ]]; then ok "  ... shows the secret on its token: line"
else not_ok "  ... shows the secret on its token: line"; fi

run "${A[@]}" token create bad --scope root
expect_rc 2 "token create with an unknown scope"
run "${A[@]}" token create bad
expect_rc 2 "token create without --scope"
run "${A[@]}" token create 'bad name!' --scope read
expect_rc 1 "token create with a name jaild refuses"
if grep -q "^  /name: " "$T/err"; then ok "  ... the bad field on its own line"
else not_ok "  ... the bad field on its own line"; fi
run "${A[@]}" token create past --scope read --expires 2001-01-01T00:00:00Z
expect_rc 1 "token create expiring in the past"
if grep -q "^  /expires_at: " "$T/err"; then ok "  ... /expires_at named"
else not_ok "  ... /expires_at named"; fi
run "${A[@]}" token frob
expect_rc 2 "unknown token subcommand"

# The new secret works (write scope: it may create a jail).
run --url "$URL" --token-file "$T/ci.token" create w1 --path /usr/local/jails/w1
expect_rc 0 "the created write token creates a jail"
expect_out_line "w1 created" "  ... w1 created"

run "${A[@]}" token ls
expect_rc 0 "token ls"
expect_out_line "ID                NAME     SCOPE  JAILS  EXPIRES  LAST-USED" \
    "  ... header ID NAME SCOPE JAILS EXPIRES LAST-USED"
CI_ID=$(awk '$2 == "ci" { print $1 }' "$T/out")
if [[ $CI_ID =~ ^[0-9a-f]{16}$ ]] &&
    awk '$2 == "ci" && $3 == "write" && $4 == "all" && $5 == "never" && $6 ~ /^20/' \
    "$T/out" | grep -q ci; then
	ok "  ... row of ci: write, all jails, never expires, used"
else not_ok "  ... row of ci: write, all jails, never expires, used"; fi
expect_no "$CI" "$T/out" "  ... shows no secret"
run "${A[@]}" token ls -o json
expect_json 'all("token" not in t for t in d) and {"admin", "ci", "ci-json", "human"} <= {t["name"] for t in d}' \
    "token ls -o json: every token, no secrets"
run "${A[@]}" token ls -o name
expect_out_line "$CI_ID" "token ls -o name prints ids"

# A read token may look but not change.
run "${A[@]}" token create reader --scope read -o name
READ=$(cat "$T/out")
SECRETS+=("$READ")
run --url "$URL" --token "$READ" ls -o name
expect_rc 0 "a read token lists"
expect_out_line "w1" "  ... and sees w1"
run --url "$URL" --token "$READ" create r1 --path /usr/local/jails/r1
expect_rc 1 "a read token cannot create"
expect_err "Forbidden" "  ... the 403 is rendered with its title"
expect_err "needs the write scope" "  ... and says which scope is needed"
expect_err "the token sent came from --token" "  ... and where the token came from"
run --url "$URL" --token "$READ" token create x --scope read
expect_rc 1 "a read token cannot create tokens"
expect_err "needs the admin scope" "  ... it needs admin"

# A delegated token sees only its jail.
run "${A[@]}" create d1 --path /usr/local/jails/d1
run "${A[@]}" create d2 --path /usr/local/jails/d2
run "${A[@]}" token create dlg --scope write --jail d1 -o json
expect_rc 0 "token create --jail"
expect_json 'd["jails"] == ["d1"]' "  ... limited to d1"
DLG=$(json_get 'd["token"]')
DLG_ID=$(json_get 'd["id"]')
SECRETS+=("$DLG")
run "${A[@]}" token ls
if awk -v id="$DLG_ID" '$1 == id && $4 == "d1"' "$T/out" | grep -q d1; then
	ok "token ls shows the JAILS of a delegated token"
else not_ok "token ls shows the JAILS of a delegated token"; fi
run --url "$URL" --token "$DLG" ls -o name
expect_rc 0 "delegated token: ls"
if [ "$(tr '\n' ' ' <"$T/out")" = "d1 " ]; then ok "  ... shows only d1"
else not_ok "  ... shows only d1"; fi
run --url "$URL" --token "$DLG" get d2
expect_rc 1 "delegated token: another jail is not found"
run --url "$URL" --token "$DLG" set d1 hostname=d1.example.org
expect_rc 0 "delegated token: may change its jail"
run --url "$URL" --token "$DLG" rm d1
expect_rc 1 "delegated token: may not delete"
expect_err "Forbidden" "  ... 403 rendered"

# rm: the token stops working at once.
run "${A[@]}" token rm "$CI_ID"
expect_rc 0 "token rm"
expect_out_line "$CI_ID deleted" "  ... says deleted"
run --url "$URL" --token-file "$T/ci.token" ls
expect_rc 1 "the removed token no longer works"
expect_err "the token from --token-file $T/ci.token was refused" \
    "  ... the 401 says which token was refused"
run "${A[@]}" token rm "$CI_ID"
expect_rc 1 "token rm of a removed id"
run "${A[@]}" token rm "$JSON_ID" -o name
expect_rc 0 "token rm with the option after the id"
expect_out_line "$JSON_ID" "  ... -o name prints the id"
run "${A[@]}" token rm
expect_rc 2 "token rm without an id"

# An expiring token works until it expires.
EXP=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
run "${A[@]}" token create short --scope read --expires "$EXP" -o json
expect_rc 0 "token create --expires"
expect_json "d['expires_at'] == '$EXP'" "  ... expires_at as given"
SHORT=$(json_get 'd["token"]')
SECRETS+=("$SHORT")
run --url "$URL" --token "$SHORT" ls
expect_rc 0 "  ... works before"
sleep 4
run --url "$URL" --token "$SHORT" ls
expect_rc 1 "  ... is refused after"

# --- audit -------------------------------------------------------------------
run "${A[@]}" audit
expect_rc 0 "audit"
if head -1 "$T/out" | grep -q "^ID  *TIME  *PRINCIPAL  *FROM  *METHOD  *PATH  *RESOURCE  *GENERATION"; then
	ok "audit header"
else not_ok "audit header"; fi
if awk -v r="token:$CI_ID" '$5 == "DELETE" && $7 == r' "$T/out" | grep -q DELETE; then
	ok "audit shows the token's removal"
else not_ok "audit shows the token's removal"; fi
run --socket "$SOCK" create u1 --path /usr/local/jails/u1
expect_rc 0 "root creates a jail over the socket"
run "${A[@]}" audit -o json
expect_json 'any(e["resource"] == "jail:u1" and e["principal"] == "uid:0" and e["client_addr"] == "unix" for e in d)' \
    "audit -o json: u1 created by uid:0 over the socket"
expect_json 'any(e["resource"] == "jail:w1" and e["method"] == "POST" and e["principal"] == "token:'"$CI_ID"'" and e["generation_after"] == 1 for e in d)' \
    "audit -o json: w1 created by the ci token"
FIRST=$(json_get 'd[0]["id"]')
run "${A[@]}" audit --since "$FIRST" -o json
expect_json "len(d) >= 1 and all(e['id'] > $FIRST for e in d)" "audit --since"
run --url "$URL" --token "$READ" audit
expect_rc 1 "audit needs admin"

# --- TLS -------------------------------------------------------------------------
start_jaild "$D2" "$T/log2" -o tls=on
ADDR2=$(cat "$D2/listen.addr")
echo "# TLS jaild listening on $ADDR2"
SECRETS+=("$(head -1 "$D2/admin.token")")
B=(--token-file "$D2/admin.token")
run --socket "$D2/jaild.sock" "${B[@]}" host -o json
expect_rc 0 "GET /v1/host of the TLS jaild"
PIN=$(json_get 'd["tls"]["pin"]')
if [[ $PIN == sha256//* ]] && grep -qF "pin $PIN" "$T/log2"; then
	ok "  ... tls.pin is the pin jaild logged"
else not_ok "  ... tls.pin is the pin jaild logged"; fi
# A pin of the right form that is not the server's: one character changed.
c=${PIN:8:1}
if [ "$c" = A ]; then r=B; else r=A; fi
WRONG=sha256//$r${PIN:9}

run --url "https://$ADDR2" "${B[@]}" ls
expect_rc 3 "https with a self-signed certificate and nothing to trust it"
expect_err "cannot verify the certificate" "  ... says the certificate is not trusted"
expect_err "--pinnedpubkey" "  ... and suggests a pin"
run --url "https://$ADDR2" --pinnedpubkey "$PIN" "${B[@]}" ls
expect_rc 0 "https with --pinnedpubkey"
run --url "https://$ADDR2" --pinnedpubkey "$WRONG" "${B[@]}" ls
expect_rc 3 "https with a wrong pin"
expect_err "does not match --pinnedpubkey" "  ... says the pin does not match"
run --url "https://$ADDR2" --cacert "$D2/tls.crt" "${B[@]}" ls
expect_rc 0 "https with --cacert DATADIR/tls.crt"
run --url "https://$ADDR2" --cacert "$D2/tls.crt" --pinnedpubkey "$PIN" "${B[@]}" ls
expect_rc 0 "https with --cacert and the right pin"
run --url "https://$ADDR2" --cacert "$D2/tls.crt" --pinnedpubkey "$WRONG" "${B[@]}" ls
expect_rc 3 "https with --cacert and a wrong pin"
run --url "https://$ADDR2" --cacert "$D/admin.token" "${B[@]}" ls
expect_rc 3 "https with a --cacert that holds no certificate"
run --url "https://$ADDR2" --pinnedpubkey "$PIN" ls
expect_rc 1 "https with a pin but no token"
expect_err "no token was sent" "  ... is a 401"
run --url "http://$ADDR2" "${B[@]}" ls
expect_rc 3 "plain http to the TLS listener"
run --url "https://$ADDR" --pinnedpubkey "$PIN" "${B[@]}" ls
expect_rc 3 "https to the plain listener"
run --url "https://$ADDR2" --pinnedpubkey "$PIN" "${B[@]}" \
    token create tls1 --scope read -o name
expect_rc 0 "token create over https"
TLS1=$(cat "$T/out")
SECRETS+=("$TLS1")
run --url "https://$ADDR2" --pinnedpubkey "$PIN" --token "$TLS1" -v host
expect_rc 0 "the token made over https works over https"
expect_err "Authorization: [not shown]" "  ... -v masks it over TLS too"

# --- 429 (last: it locks 127.0.0.1 out of the plain jaild for a minute) -----
GOT429=0
for i in $(seq 1 15); do
	run --url "$URL" --token "jd_wrong$i" ls
	if grep -qF "Too many" "$T/err"; then GOT429=1; break; fi
done
if [ "$GOT429" -eq 1 ]; then ok "repeated bad tokens end in a 429"
else not_ok "repeated bad tokens end in a 429"; fi
expect_rc 1 "  ... exit 1"
if grep -qE "^jailctl: retry in [0-9]+ seconds?$" "$T/err"; then
	ok "  ... says when to retry"
else not_ok "  ... says when to retry"; fi

# --- no secret anywhere ------------------------------------------------------------
for s in "${SECRETS[@]}"; do
	if [ -z "$s" ]; then
		RC=0; : >"$T/out"; : >"$T/err"
		not_ok "a secret was captured"
		continue
	fi
	NSEC=$((${NSEC:-0} + 1))
	name="#$NSEC"
	expect_no "$s" "$T/allerr" "secret $name never in jailctl's stderr"
	expect_no "$s" "$T/log" "secret $name never in the plain jaild's log"
	expect_no "$s" "$T/log2" "secret $name never in the TLS jaild's log"
done
if [ "${#SECRETS[@]}" -ge 9 ]; then ok "every secret was checked (${#SECRETS[@]})"
else RC=0; not_ok "every secret was checked (${#SECRETS[@]})"; fi

echo "1..$NTEST"
if [ "$NFAIL" -ne 0 ]; then
	echo "# $NFAIL of $NTEST failed; jaild logs:"
	sed 's/^/# /' "$T/log" | tail -20
	sed 's/^/# /' "$T/log2" | tail -20
	exit 1
fi
exit 0
