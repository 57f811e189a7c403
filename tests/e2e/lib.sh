# lib.sh - what the jailctl end-to-end scripts share: TAP-style counters
# and the checks over a command's result.  Sourced after the script has set
# T (its temporary directory) and defined run(), which leaves the exit
# status in RC and the output in $T/out and $T/err.

NTEST=0
NFAIL=0
RC=0

ok() {
	NTEST=$((NTEST + 1))
	echo "ok $NTEST - $1"
}
not_ok() {
	NTEST=$((NTEST + 1))
	NFAIL=$((NFAIL + 1))
	echo "not ok $NTEST - $1"
	echo "#   exit status: $RC"
	sed 's/^/#   out: /' "$T/out" 2>/dev/null
	sed 's/^/#   err: /' "$T/err" 2>/dev/null
}

expect_rc() {	# STATUS DESCRIPTION
	if [ "$RC" -eq "$1" ]; then ok "$2 (exit $1)"; else not_ok "$2 (exit $1)"; fi
}
expect_out() {	# FIXED-STRING DESCRIPTION: a line of stdout contains it
	if grep -qF -- "$1" "$T/out"; then ok "$2"; else not_ok "$2: stdout lacks '$1'"; fi
}
expect_out_line() {	# EXACT-LINE DESCRIPTION
	if grep -qxF -- "$1" "$T/out"; then ok "$2"; else not_ok "$2: no stdout line '$1'"; fi
}
expect_err() {	# FIXED-STRING DESCRIPTION
	if grep -qF -- "$1" "$T/err"; then ok "$2"; else not_ok "$2: stderr lacks '$1'"; fi
}
expect_err_line() {	# EXACT-LINE DESCRIPTION
	if grep -qxF -- "$1" "$T/err"; then ok "$2"; else not_ok "$2: no stderr line '$1'"; fi
}
expect_no() {	# FIXED-STRING FILE DESCRIPTION: FILE does not contain it
	if grep -qF -- "$1" "$2"; then not_ok "$3"; else ok "$3"; fi
}
# expect_awk PROGRAM DESCRIPTION: some line of stdout matches the awk
# condition (columns split on blanks); expect_no_awk: none does.
expect_awk() {
	if awk "$1 { found = 1 } END { exit !found }" "$T/out"; then ok "$2"
	else not_ok "$2: no stdout line with $1"; fi
}
expect_no_awk() {
	if awk "$1 { found = 1 } END { exit !found }" "$T/out"; then
		not_ok "$2: a stdout line has $1"
	else ok "$2"; fi
}
# expect_json PYTHON-EXPR DESCRIPTION: the expression over d (stdout parsed
# as JSON) is true.
expect_json() {
	if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1" 2>>"$T/err"; then
		ok "$2"
	else
		not_ok "$2: false: $1"
	fi
}
