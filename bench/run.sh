#!/usr/bin/env bash
# run.sh - `make bench`: jaild's performance budget (DESIGN.md section 7),
# measured in one run against ceilings measured in the same run.
#
# It builds nothing: it expects the release build in $BUILD (default
# build/, from `cmake --build build`).  It starts its own jaild instances,
# ceiling servers and (when installed) lxd on temporary directories, on
# 127.0.0.1:0 and unix sockets, and stops only the processes it started.
# Every point is bounded in time (BENCH_SECONDS each, best of BENCH_REPS
# runs because the machine is shared); the whole run takes 2-4 minutes.
# It prints one table and writes it as JSON to bench/results.json.
#
# Environment: BUILD, BENCH_SECONDS (2), BENCH_REPS (3), BENCH_RESYNC_K (5),
# BENCH_JAILS (10000), BENCH_CONVERGE (1000), BENCH_CONVERGE_MAX (60),
# BENCH_TMPDIR (/tmp),
# BENCH_JSON (bench/results.json), BENCH_KEEP=1 keeps the temp directory.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SECS=${BENCH_SECONDS:-2}
REPS=${BENCH_REPS:-3}
RESYNC_K=${BENCH_RESYNC_K:-5}
NJAILS=${BENCH_JAILS:-10000}
NCONV=${BENCH_CONVERGE:-1000}
OUT=${BENCH_JSON:-$ROOT/bench/results.json}
CORES=$(nproc)

JAILD=$BUILD/jaild
LG=$BUILD/bench/bench_loadgen
CEIL=$BUILD/bench/bench_ceiling
SQL=$BUILD/bench/bench_sqlite_ceiling
for b in "$JAILD" "$LG" "$CEIL" "$SQL"; do
	if [ ! -x "$b" ]; then
		echo "run.sh: $b is missing; build first:" >&2
		echo "  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
		    "&& cmake --build build -j$CORES" >&2
		exit 2
	fi
done
for t in curl python3; do
	command -v $t >/dev/null || { echo "run.sh: needs $t" >&2; exit 2; }
done

TMP=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/jaild-bench.XXXXXX")
RES=$TMP/results.tsv	# name value unit ceiling ratio target note
RAW=$TMP/raw.jsonl	# every loadgen answer, labelled
TOKENS=$TMP/tokens	# "ADDR TOKEN" per jaild instance
: >"$TOKENS"
: >"$RES"
: >"$RAW"
PIDS=()

cleanup() {
	local p i
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || continue
		for i in $(seq 1 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }
now_ns() { date +%s%N; }
# calc EXPR: floating point with awk, 3 decimals
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
# jnum JSON KEY: a number field of a one-line JSON object
jnum() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p"; }

# emit NAME VALUE UNIT CEILING RATIO TARGET [NOTE]
emit() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
	    "${7:-}" >>"$RES"
}

# stop_pid PID: SIGTERM one process this script started, wait for it.
stop_pid() {
	local i
	kill -TERM "$1" 2>/dev/null || return 0
	for i in $(seq 1 300); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	# Forget it, so the exit trap never signals a recycled PID.
	for i in "${!PIDS[@]}"; do
		[ "${PIDS[$i]}" = "$1" ] && unset 'PIDS[i]'
	done
	return 0
}

# start_jaild NAME [-o k=v ...]: sets JPID, JADDR, JSOCK, JDIR
start_jaild() {
	local name=$1 i
	shift
	JDIR=$TMP/$name
	mkdir -p "$JDIR"
	rm -f "$JDIR/listen.addr"
	# No per-IP limit: every client here is 127.0.0.1, and the ceiling
	# has none either.
	"$JAILD" --data-dir "$JDIR" --listen 127.0.0.1:0 \
	    --socket "$JDIR/jaild.sock" -o max_connections_per_ip=0 "$@" \
	    >>"$JDIR/log" 2>&1 &
	JPID=$!
	PIDS+=("$JPID")
	for i in $(seq 1 2000); do
		[ -s "$JDIR/listen.addr" ] && break
		kill -0 "$JPID" 2>/dev/null || { cat "$JDIR/log" >&2; exit 1; }
		sleep 0.005
	done
	JADDR=$(head -n1 "$JDIR/listen.addr")
	JSOCK=$JDIR/jaild.sock
	# Every request over TCP needs a token: remember each instance's
	# admin token by address (curl, py and lg look it up).
	printf '%s %s\n%s %s\n' "$JADDR" "$(cat "$JDIR/admin.token")" \
	    "$JSOCK" "$(cat "$JDIR/admin.token")" >>"$TOKENS"
	for i in $(seq 1 2000); do
		curl -sf -o /dev/null "http://$JADDR/readyz" && return 0
		sleep 0.005
	done
	say "jaild $name never became ready"
	exit 1
}

# start_ceiling SIZE NAME: sets CPID, CADDR, CSOCK
start_ceiling() {
	local i
	CSOCK=$TMP/ceiling-$2.sock
	"$CEIL" --listen 127.0.0.1:0 --socket "$CSOCK" --size "$1" \
	    --addr-file "$TMP/ceiling-$2.addr" 2>>"$TMP/ceiling-$2.log" &
	CPID=$!
	PIDS+=("$CPID")
	for i in $(seq 1 1000); do
		[ -s "$TMP/ceiling-$2.addr" ] && break
		sleep 0.005
	done
	CADDR=$(head -n1 "$TMP/ceiling-$2.addr")
}

# tok_for ADDR: the admin token of the jaild at ADDR (host:port or socket)
tok_for() { awk -v a="$1" '$1 == a { t = $2 } END { print t }' "$TOKENS"; }

# curl with the token of the jaild its URL names
curl() {
	local a t
	for a in "$@"; do
		case $a in http://*) a=${a#http://}; a=${a%%/*};
			t=$(tok_for "$a"); break;; esac
	done
	if [ -n "${t:-}" ]; then
		command curl -H "Authorization: Bearer $t" "$@"
	else
		command curl "$@"
	fi
}

# lg LABEL ARGS...: one loadgen run, its JSON on stdout (and in RAW)
lg() {
	local label=$1 out a prev="" t=""
	shift
	for a in "$@"; do
		case $prev in --tcp|--unix) t=$(tok_for "$a");; esac
		prev=$a
	done
	if [ -n "$t" ]; then
		out=$("$LG" --json -H "Authorization: Bearer $t" "$@")
	else
		out=$("$LG" --json "$@")
	fi
	printf '{"label":"%s","result":%s}\n' "$label" "$out" >>"$RAW"
	if [ "$(jnum "$out" non2xx)" != 0 ] || [ "$(jnum "$out" errors)" != 0 ]
	then
		say "  note: $label: non-2xx $(jnum "$out" non2xx)," \
		    "errors $(jnum "$out" errors): $out"
	fi
	printf '%s\n' "$out"
}

# best LABEL ARGS...: the run with the highest 2xx rate of REPS runs
best() {
	local label=$1 r out bestout="" bestrps=-1 rps
	shift
	for r in $(seq 1 "$REPS"); do
		out=$(lg "$label#$r" "$@")
		rps=$(jnum "$out" rps)
		if awk "BEGIN { exit !($rps > $bestrps) }"; then
			bestrps=$rps
			bestout=$out
		fi
	done
	printf '%s\n' "$bestout"
}

# pair LABEL CMODE CADDR JMODE JADDR ARGS...: ceiling and jaild runs
# interleaved (C J C J ...), so both see the same background load; sets
# PC and PJ to the best run of each.
pair() {
	local label=$1 cm=$2 ca=$3 jm=$4 ja=$5 r out rps bc=-1 bj=-1
	shift 5
	for r in $(seq 1 "$REPS"); do
		out=$(lg "ceiling_$label#$r" "$cm" "$ca" "$@")
		rps=$(jnum "$out" rps)
		if awk "BEGIN { exit !($rps > $bc) }"; then bc=$rps PC=$out; fi
		out=$(lg "jaild_$label#$r" "$jm" "$ja" "$@")
		rps=$(jnum "$out" rps)
		if awk "BEGIN { exit !($rps > $bj) }"; then bj=$rps PJ=$out; fi
	done
}

threads_for() { if [ "$1" -lt "$CORES" ]; then echo "$1"; else echo "$CORES"; fi; }

# py: small HTTP helpers over one TCP address (urllib, no extra modules)
py() {
	JD_TOKENS=$TOKENS python3 -c '
import os, sys, urllib.request
toks = dict(l.split()[:2] for l in open(os.environ["JD_TOKENS"]) if len(l.split()) >= 2)
class Auth(urllib.request.BaseHandler):
    def http_request(self, req):
        t = toks.get(req.host)
        if t:
            req.add_header("Authorization", "Bearer " + t)
        return req
urllib.request.install_opener(urllib.request.build_opener(Auth()))
sys.argv[0] = "-"
exec(compile(sys.stdin.read(), "<bench>", "exec"))' "$@"
}

# wait_settled ADDR: until no jail is pending or creating
wait_settled() {
	py "$1" <<'EOF'
import json, sys, time, urllib.request
a = sys.argv[1]
for _ in range(3000):
    busy = 0
    for ph in ("pending", "creating"):
        with urllib.request.urlopen("http://%s/v1/jails?phase=%s&limit=1" % (a, ph)) as r:
            busy += len(json.load(r)["items"])
    if busy == 0:
        sys.exit(0)
    time.sleep(0.05)
sys.exit("jails never settled")
EOF
}

# cpu_ticks PID: utime + stime of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# A realistic jail document (for the GET that sizes the ceiling).
DOC='{"path":"/usr/local/jails/{name}","hostname":"{name}.bench.example.org",
"state":"stopped","params":{"securelevel":2,"allow.raw_sockets":false},
"ips":[{"interface":"lo1","address":"10.0.0.5/24"}],
"mounts":[{"type":"devfs","target":"/dev","ruleset":4},
{"type":"nullfs","source":"/usr/local/jails/base","target":"/basejail","options":["ro"]}],
"exec":{"start":["/bin/sh /etc/rc"],"stop":["/bin/sh /etc/rc.shutdown jail"]},
"labels":{"env":"bench","tier":"web"}}'
# Bulk documents: no address, so any number of them may run at once.
BULK='{"path":"/usr/local/jails/{name}","hostname":"{name}.bench.example.org",
"params":{"securelevel":2},"mounts":[{"type":"devfs","target":"/dev","ruleset":4}],
"labels":{"env":"bench","tier":"web"}}'
RUNNING=${BULK/\"params\"/\"state\":\"running\",\"params\"}
PUT=(-m PUT -p '/v1/jails/{name}')

say "jaild bench: $CORES cores, $SECS s per point, best of $REPS, in $TMP"

# ---- 1. GET one jail vs the ceiling -------------------------------------
start_jaild main
MAIN_PID=$JPID MAIN_ADDR=$JADDR MAIN_SOCK=$JSOCK
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' \
    --data-binary "${DOC//\{name\}/web1}" "http://$MAIN_ADDR/v1/jails/web1?wait=10"
DOCSIZE=$(curl -sf "http://$MAIN_ADDR/v1/jails/web1" | wc -c)
start_ceiling "$DOCSIZE" doc
DOC_CPID=$CPID DOC_CADDR=$CADDR DOC_CSOCK=$CSOCK
say "jail document: $DOCSIZE bytes; jaild $MAIN_ADDR, ceiling $DOC_CADDR"

for c in 1 16 64 256; do
	pair "get_c$c" --tcp "$DOC_CADDR" --tcp "$MAIN_ADDR" -c "$c" \
	    -t "$(threads_for "$c")" -d "$SECS" -p /v1/jails/web1
	cr=$(jnum "$PC" rps) jr=$(jnum "$PJ" rps)
	target=""
	[ "$c" = 64 ] && target=">=0.70"
	emit "get_one_c$c" "$jr" "req/s" "$cr" "$(calc "$jr / $cr")" "$target"
	cp=$(jnum "$PC" p99_ms) jp=$(jnum "$PJ" p99_ms)
	emit "get_one_c${c}_p99" "$jp" "ms" "$cp" "$(calc "$jp / $cp")" ""
	say "  GET one c=$c: jaild $jr/s p99 $jp ms; ceiling $cr/s p99 $cp ms"
done
pair get_unix_c64 --unix "$DOC_CSOCK" --unix "$MAIN_SOCK" -c 64 \
    -t "$CORES" -d "$SECS" -p /v1/jails/web1
cr=$(jnum "$PC" rps) jr=$(jnum "$PJ" rps)
cp=$(jnum "$PC" p99_ms) jp=$(jnum "$PJ" p99_ms)
emit get_one_unix_c64 "$jr" "req/s" "$cr" "$(calc "$jr / $cr")" ""
emit get_one_unix_c64_p99 "$jp" ms "$cp" "$(calc "$jp / $cp")" ""
say "  GET one unix c=64: jaild $jr/s p99 $jp ms; ceiling $cr/s p99 $cp ms"

# Cross-check with wrk (another client) when it is installed.
if command -v wrk >/dev/null 2>&1; then
	wrk_rps() {
		wrk -c 64 -t "$CORES" -d "${SECS}s" "http://$1/v1/jails/web1" |
		    awk '/^Requests\/sec:/ { print $2 }'
	}
	cr=$(wrk_rps "$DOC_CADDR") jr=$(wrk_rps "$MAIN_ADDR")
	emit get_one_c64_wrk "$jr" "req/s" "$cr" "$(calc "$jr / $cr")" "" \
	    "wrk -c 64 -t $CORES, one run each (cross-check)"
	say "  wrk GET one c=64: jaild $jr/s; ceiling $cr/s"
else
	say "wrk: not installed, cross-check skipped"
fi

# ---- 2. durable writes vs raw SQLite ------------------------------------
# Interleaved (SQLite, then PUT at 1, 16, 64; REPS times), best of each:
# the disk is shared with whatever else runs here.
SQ_CPS=-1 PUT_1=-1 PUT_16=-1 PUT_64=-1
for r in $(seq 1 "$REPS"); do
	sq=$("$SQL" --dir "$TMP" -d "$SECS" --json)
	printf '{"label":"sqlite_1row#%s","result":%s}\n' "$r" "$sq" >>"$RAW"
	v=$(jnum "$sq" commits_per_s)
	awk "BEGIN { exit !($v > $SQ_CPS) }" && SQ_CPS=$v
	for c in 1 16 64; do
		o=$(lg "jaild_put_c$c#$r" --tcp "$MAIN_ADDR" -c "$c" \
		    -t "$(threads_for "$c")" -d "$SECS" "${PUT[@]}" \
		    --prefix "w$r-$c-" --body "$BULK")
		v=$(jnum "$o" rps)
		eval "cur=\$PUT_$c"
		if awk "BEGIN { exit !($v > $cur) }"; then
			eval "PUT_$c=\$v PUTO_$c=\$o"
		fi
	done
done
sqb=$("$SQL" --dir "$TMP" -d "$SECS" --batch 100 --json)
printf '{"label":"sqlite_100row","result":%s}\n' "$sqb" >>"$RAW"
emit sqlite_commit_1row "$SQ_CPS" "commit/s" "" "" "" \
    "WAL, synchronous=FULL, same filesystem"
emit sqlite_rows_100row_tx "$(jnum "$sqb" rows_per_s)" "row/s" "" "" "" \
    "100 rows per transaction"
say "  sqlite: $SQ_CPS commits/s; $(jnum "$sqb" rows_per_s) rows/s in 100-row transactions"
for c in 1 16 64; do
	eval "r=\$PUT_$c o=\$PUTO_$c"
	emit "put_c$c" "$r" "write/s" "$SQ_CPS" "$(calc "$r / $SQ_CPS")" "" \
	    "p99 $(jnum "$o" p99_ms) ms"
	say "  PUT c=$c: $r writes/s, p99 $(jnum "$o" p99_ms) ms"
done
emit put_scaling_c64_vs_c1 "$(calc "$PUT_64 / $PUT_1")" "x" "" "" ">=5" \
    "64-client rate / 1-client rate"
stop_pid "$MAIN_PID"

# ---- 3. lists and scale --------------------------------------------------
# While loading and listing, no periodic resync (a pass over 10,000 jails
# would compete with the requests measured); it gets its own row below.
start_jaild scale -o resync_interval_s=3600
SC_PID=$JPID SC_ADDR=$JADDR SC_DIR=$JDIR
RSS_EMPTY=$(rss_kb "$SC_PID")
first=$((NJAILS / 10))
o=$(lg load_first --tcp "$SC_ADDR" -c 64 -t "$CORES" -d 600 -n "$first" \
    "${PUT[@]}" --prefix s --body "$BULK")
wait_settled "$SC_ADDR"
LIST='/v1/jails?limit=100'
l1=$(best "list_first_$first" --tcp "$SC_ADDR" -c 16 -t "$CORES" -d "$SECS" \
    -p "$LIST")
o=$(lg load_rest --tcp "$SC_ADDR" -c 64 -t "$CORES" -d 600 \
    -n $((NJAILS - first)) "${PUT[@]}" --prefix t --body "$BULK")
emit load_put_c64 "$(jnum "$o" rps)" "write/s" "" "" "" \
    "$((NJAILS - first)) PUTs to fill the database"
wait_settled "$SC_ADDR"
PAGESIZE=$(curl -sf "http://$SC_ADDR$LIST" | wc -c)
# The deep page: the middle of the collection, at most page 51.
DEEP=$(py "$SC_ADDR" "$(( NJAILS / 200 < 50 ? NJAILS / 200 : 50 ))" <<'EOF'
import json, sys, urllib.parse, urllib.request
a, cur = sys.argv[1], None
for _ in range(int(sys.argv[2])):
    q = "limit=100" + ("&cursor=" + urllib.parse.quote(cur, safe="") if cur else "")
    with urllib.request.urlopen("http://%s/v1/jails?%s" % (a, q)) as r:
        cur = json.load(r)["next_cursor"]
print("/v1/jails?limit=100" +
      ("&cursor=" + urllib.parse.quote(cur, safe="") if cur else ""))
EOF
)
start_ceiling "$PAGESIZE" page
PAGE_CPID=$CPID PAGE_CADDR=$CADDR
pair list_first --tcp "$PAGE_CADDR" --tcp "$SC_ADDR" -c 16 -t "$CORES" \
    -d "$SECS" -p "$LIST"
cl=$PC lf=$PJ
pair list_deep --tcp "$PAGE_CADDR" --tcp "$SC_ADDR" -c 16 -t "$CORES" \
    -d "$SECS" -p "$DEEP"
ld=$PJ
if awk "BEGIN { exit !($(jnum "$PC" rps) > $(jnum "$cl" rps)) }"; then
	cl=$PC
fi
stop_pid "$PAGE_CPID"
clr=$(jnum "$cl" rps)
for v in "first:$lf" "deep:$ld"; do
	k=${v%%:*} o=${v#*:}
	emit "list_${k}_page_${NJAILS}" "$(jnum "$o" rps)" "req/s" "$clr" \
	    "$(calc "$(jnum "$o" rps) / $clr")" "" \
	    "16 connections, $PAGESIZE-byte pages"
	emit "list_${k}_page_${NJAILS}_p99" "$(jnum "$o" p99_ms)" ms \
	    "$(jnum "$cl" p99_ms)" \
	    "$(calc "$(jnum "$o" p99_ms) / $(jnum "$cl" p99_ms)")" ""
done
emit "list_first_page_${first}" "$(jnum "$l1" rps)" "req/s" "" "" "" \
    "the same page with $first jails"
emit list_flat_10k_vs_1k \
    "$(calc "$(jnum "$lf" rps) / $(jnum "$l1" rps)")" "x" "" "" ">=0.80" \
    "first-page rate with $NJAILS jails / with $first"
emit list_flat_deep_vs_first \
    "$(calc "$(jnum "$ld" rps) / $(jnum "$lf" rps)")" "x" "" "" ">=0.80" \
    "deep page rate / first page rate"
say "  lists: first $(jnum "$lf" rps)/s, deep $(jnum "$ld" rps)/s," \
    "with $first jails $(jnum "$l1" rps)/s; ceiling $clr/s"

# Restart with NJAILS jails: start-up time, RSS, resync CPU.
stop_pid "$SC_PID"
t0=$(now_ns)
start_jaild scale -o resync_interval_s=1
t1=$(now_ns)
SC_PID=$JPID SC_ADDR=$JADDR
emit "startup_${NJAILS}" "$(calc "($t1 - $t0) / 1e6")" "ms" "" "" "" \
    "exec to /readyz 200"
wait_settled "$SC_ADDR"
sleep 1
RSS=$(rss_kb "$SC_PID")
emit "rss_${NJAILS}" "$(calc "$RSS / 1024")" "MiB" "" "" "" \
    "VmRSS after restart; empty jaild: $((RSS_EMPTY / 1024)) MiB"
emit rss_per_jail "$(calc "($RSS - $RSS_EMPTY) / $NJAILS")" "KiB" "" "" ""
# Idle with resync_interval_s=1: the CPU of the interval is the CPU of
# about RESYNC_K no-change passes (plus idle threads, so an upper bound).
c0=$(cpu_ticks "$SC_PID")
sleep "$RESYNC_K"
c1=$(cpu_ticks "$SC_PID")
HZ=$(getconf CLK_TCK)
RESYNC_PLAIN=$(calc "($c1 - $c0) * 1000 / $HZ / $RESYNC_K")
emit "resync_cpu_${NJAILS}" "$RESYNC_PLAIN" \
    "ms/pass" "" "" "<100" \
    "utime+stime over ${RESYNC_K} s idle, resync_interval_s=1, / $RESYNC_K"
stop_pid "$SC_PID"

# ---- 3b. policies --------------------------------------------------------
# Every jail lists two policies (parameters and rctl limits): the no-change
# pass against the plain one above, then a change to a policy all of them
# list (each jail's row, version and event rewritten in one transaction)
# against SQLite writing as many rows in 100-row transactions.
start_jaild policies -o resync_interval_s=1
PO_PID=$JPID PO_ADDR=$JADDR
for p in 'bench-a:{"params":{"securelevel":3,"allow.raw_sockets":false},"limits":[{"resource":"maxproc","action":"deny","amount":200}]}' \
    'bench-b:{"params":{"children.max":0},"limits":[{"resource":"memoryuse","action":"deny","amount":"1g"}]}'; do
	curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $(tok_for "$PO_ADDR")" \
	    -H 'Content-Type: application/json' "http://$PO_ADDR/v1/policies/${p%%:*}" \
	    -d "${p#*:}" || die "cannot create policy ${p%%:*}"
done
o=$(lg load_policies --tcp "$PO_ADDR" -c 64 -t "$CORES" -d 600 -n "$NJAILS" \
    "${PUT[@]}" --prefix p --body "${BULK/\"params\"/\"policies\":[\"bench-a\",\"bench-b\"],\"params\"}")
wait_settled "$PO_ADDR"
sleep 2
c0=$(cpu_ticks "$PO_PID")
sleep "$RESYNC_K"
c1=$(cpu_ticks "$PO_PID")
rp=$(calc "($c1 - $c0) * 1000 / $HZ / $RESYNC_K")
emit "resync_cpu_${NJAILS}_policies" "$rp" "ms/pass" "$RESYNC_PLAIN" \
    "$(calc "$rp / ($RESYNC_PLAIN > 0 ? $RESYNC_PLAIN : 1)")" "" \
    "every jail lists 2 policies; ceiling: the plain pass above"
t0=$(now_ns)
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
    -H "Authorization: Bearer $(tok_for "$PO_ADDR")" \
    -H 'Content-Type: application/json' "http://$PO_ADDR/v1/policies/bench-a" \
    -d '{"params":{"securelevel":2},"limits":[{"resource":"maxproc","action":"deny","amount":300}]}')
t1=$(now_ns)
[ "$code" = 200 ] || die "policy change answered $code"
pc=$(calc "($t1 - $t0) / 1e6")
pc_ceil=$(calc "$NJAILS * 2 * 1000 / $(jnum "$sqb" rows_per_s)")
emit "policy_change_${NJAILS}" "$pc" "ms" "$pc_ceil" "$(calc "$pc / $pc_ceil")" \
    "" "PUT of a policy $NJAILS jails list; ceiling: $((NJAILS * 2)) SQLite rows in 100-row transactions"
say "  policies: pass ${rp} ms (plain $RESYNC_PLAIN ms); a change reaching $NJAILS jails ${pc} ms"
stop_pid "$PO_PID"

# ---- 4. convergence on the simulated host --------------------------------
start_jaild converge
CV_PID=$JPID CV_ADDR=$JADDR
t0=$(now_ns)
o=$(lg converge_put --tcp "$CV_ADDR" -c 64 -t "$CORES" -d 600 -n "$NCONV" \
    "${PUT[@]}" --prefix r --body "$RUNNING")
t1=$(now_ns)
# Poll /v1/host; give up after BENCH_CONVERGE_MAX seconds.
cv=$(py "$CV_ADDR" "$NCONV" "${BENCH_CONVERGE_MAX:-60}" <<'EOF'
import json, sys, time, urllib.request
a, n, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end, running = time.monotonic() + limit, 0
while time.monotonic() < end:
    with urllib.request.urlopen("http://%s/v1/host" % a) as r:
        running = json.load(r)["counts"]["running"]
    if running >= n:
        break
    time.sleep(0.01)
print(time.clock_gettime_ns(time.CLOCK_REALTIME), running)
EOF
)
t2=${cv% *} nrun=${cv#* }
note="last PUT answered -> /v1/host counts.running = $NCONV"
if [ "$nrun" -lt "$NCONV" ]; then
	note="gave up: $nrun of $NCONV running after $(calc "($t2 - $t1) / 1e9") s"
fi
emit "converge_${NCONV}_running" "$(calc "($t2 - $t1) / 1e9")" "s" "" "" \
    "<=10" "$note"
emit "converge_${NCONV}_total" "$(calc "($t2 - $t0) / 1e9")" "s" "" "" "" \
    "first PUT sent -> $nrun of $NCONV running"
say "  converge: $(calc "($t2 - $t1) / 1e9") s after the last write"
stop_pid "$CV_PID"

# ---- 5. LXD, side by side on unix sockets --------------------------------
if command -v lxd >/dev/null 2>&1; then
	start_jaild peer
	PEER_PID=$JPID PEER_SOCK=$JSOCK
	mkdir -p "$TMP/lxd"
	LXD_DIR=$TMP/lxd lxd --group root >"$TMP/lxd.log" 2>&1 &
	LXD_PID=$!
	PIDS+=("$LXD_PID")
	for i in $(seq 1 600); do
		[ -S "$TMP/lxd/unix.socket" ] && curl -sf -o /dev/null \
		    --unix-socket "$TMP/lxd/unix.socket" http://lxd/1.0 && break
		sleep 0.1
	done
	pair list_unix_c64 --unix "$DOC_CSOCK" --unix "$PEER_SOCK" -c 64 \
	    -t "$CORES" -d "$SECS" -p /v1/jails
	co=$PC jo=$PJ
	xo=$(best lxd_instances_c64 --unix "$TMP/lxd/unix.socket" -c 64 \
	    -t "$CORES" -d "$SECS" -p /1.0/instances)
	cr=$(jnum "$co" rps) xr=$(jnum "$xo" rps) jr=$(jnum "$jo" rps)
	emit lxd_instances_unix_c64 "$xr" "req/s" "$cr" "$(calc "$xr / $cr")" \
	    "" "GET /1.0/instances, no instances; p99 $(jnum "$xo" p99_ms) ms"
	emit jaild_list_unix_c64 "$jr" "req/s" "$cr" "$(calc "$jr / $cr")" \
	    "" "GET /v1/jails, no jails; p99 $(jnum "$jo" p99_ms) ms"
	emit jaild_vs_lxd_c64 "$(calc "$jr / $xr")" "x" "" "" "" \
	    "jaild list rate / LXD list rate"
	say "  lxd: $xr/s (p99 $(jnum "$xo" p99_ms) ms); jaild $jr/s;" \
	    "ceiling $cr/s"
	stop_pid "$LXD_PID"
	stop_pid "$PEER_PID"
else
	say "lxd: not installed, skipped"
	emit lxd_instances_unix_c64 "" "req/s" "" "" "" \
	    "lxd: not installed, skipped"
fi
stop_pid "$DOC_CPID"

# ---- table and JSON ------------------------------------------------------
py "$RES" "$RAW" "$OUT" "$SECS" "$REPS" "$DOCSIZE" <<'EOF'
import json, os, platform, subprocess, sys, time
res, raw, out, secs, reps, docsize = sys.argv[1:7]
rows = []
for line in open(res):
    f = line.rstrip("\n").split("\t")
    name, value, unit, ceiling, ratio, target, note = (f + [""] * 7)[:7]
    num = lambda s: float(s) if s not in ("", None) else None
    r = {"name": name, "value": num(value), "unit": unit,
         "ceiling": num(ceiling), "ratio": num(ratio),
         "target": target or None, "pass": None, "note": note or None}
    if target:
        v = r["ratio"] if r["ratio"] is not None else r["value"]
        op, lim = (target[:2], target[2:]) if target[:2] in (">=", "<=") \
            else (target[:1], target[1:])
        lim = float(lim)
        if v is not None:
            r["pass"] = {">=": v >= lim, "<=": v <= lim,
                         ">": v > lim, "<": v < lim}[op]
    rows.append(r)
def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return "%.0f" % v
    return "%.3g" % v if abs(v) < 10 else "%.1f" % v
hdr = ("name", "value", "unit", "ceiling", "ratio", "target", "pass")
tab = [hdr] + [(r["name"], fmt(r["value"]), r["unit"], fmt(r["ceiling"]),
        fmt(r["ratio"]), r["target"] or "-",
        {None: "-", True: "pass", False: "FAIL"}[r["pass"]]) for r in rows]
w = [max(len(t[i]) for t in tab) for i in range(len(hdr))]
for t in tab:
    print("  ".join(c.ljust(w[i]) if i in (0, 2, 5, 6) else c.rjust(w[i])
                    for i, c in enumerate(t)).rstrip())
try:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
except OSError:
    commit = ""
doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
       "commit": commit, "host": platform.node(), "cores": os.cpu_count(),
       "kernel": platform.release(), "seconds_per_point": float(secs),
       "best_of": int(reps), "jail_document_bytes": int(docsize),
       "results": rows,
       "raw": [json.loads(l) for l in open(raw) if l.strip()]}
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print("notes:")
for r in rows:
    if r["note"]:
        print("  %s: %s" % (r["name"], r["note"]))
fails = [r["name"] for r in rows if r["pass"] is False]
print("wrote %s; %d of %d targets missed%s" % (out, len(fails),
      sum(1 for r in rows if r["pass"] is not None),
      (": " + ", ".join(fails)) if fails else ""))
EOF
