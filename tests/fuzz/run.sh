#!/usr/bin/env bash
# run.sh - run jaild's libFuzzer targets (tests/fuzz).
#
#   run.sh [SECONDS] [TARGET...]   fuzz each target for SECONDS (default 60)
#                                  on a scratch copy of corpus/TARGET, so
#                                  the committed corpus never grows
#   run.sh --replay [TARGET...]    run every seed and every regression input
#                                  once (a regression test: no fuzzing)
#
# Targets default to all of them.  Binaries come from $JD_FUZZ_BIN (default
# build-fuzz/fuzz next to the source tree).  A target that crashes, leaks,
# times out or breaks an invariant fails the run: the crash file is copied
# to $JD_FUZZ_OUT (default build-fuzz/fuzz-crashes/TARGET/), and its name,
# size, a hex dump of its start and the sanitizer report are printed.
# Save it under regressions/TARGET/ once understood.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${JD_FUZZ_BIN:-$top/build-fuzz/fuzz}
out=${JD_FUZZ_OUT:-$(dirname "$bin")/fuzz-crashes}
all_targets="fuzz_codec fuzz_merge_patch fuzz_router fuzz_config fuzz_jailconf"

replay=0
seconds=60
if [ "${1:-}" = "--replay" ]; then
	replay=1
	shift
elif [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	seconds=$1
	shift
fi
targets=${*:-$all_targets}

# Sanitizer settings: abort on the first report so libFuzzer keeps the
# input; leaks count as failures.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/jaild-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# Copy a crash file out of the scratch directory and describe it.
report_crash() {
	local t=$1 f=$2 log=$3 keep
	mkdir -p "$out/$t"
	keep="$out/$t/$(basename "$f")"
	cp "$f" "$keep"
	echo "FAIL $t: crash input saved as $keep ($(wc -c <"$f") bytes)"
	echo "---- first 512 bytes:"
	head -c 512 "$f" | od -A d -c | head -n 40
	echo "---- report:"
	grep -E 'FUZZ INVARIANT|runtime error|ERROR:|SUMMARY:|^ +#[0-9]+ ' \
	    "$log" | grep -v -E 'fuzzer::|__sanitizer|libc_start|_start ' |
	    head -n 40
}

fail=0
for t in $targets; do
	exe="$bin/$t"
	if [ ! -x "$exe" ]; then
		echo "FAIL $t: no binary at $exe (build with JD_FUZZ=ON)"
		fail=1
		continue
	fi
	work="$scratch/$t"
	mkdir -p "$work/corpus" "$work/crashes"
	log="$work/log"
	if [ $replay = 1 ]; then
		# Each file once, by name, so a failure names its input.
		files=()
		for d in "$here/corpus/$t" "$here/regressions/$t"; do
			[ -d "$d" ] || continue
			for f in "$d"/*; do
				[ -f "$f" ] && files+=("$f")
			done
		done
		if [ ${#files[@]} -eq 0 ]; then
			echo "FAIL $t: no seed or regression inputs"
			fail=1
			continue
		fi
		# All in one process; only after a failure one by one, to
		# name every failing input.
		bad=0
		if ! "$exe" -timeout=10 "${files[@]}" >"$log" 2>&1; then
			for f in "${files[@]}"; do
				if ! "$exe" -timeout=10 "$f" >"$log" 2>&1; then
					report_crash "$t" "$f" "$log"
					bad=1
				fi
			done
			if [ $bad = 0 ]; then
				echo "FAIL $t: the inputs fail together but not" \
				    "one by one (state leaks between runs)"
				bad=1
			fi
		fi
		if [ $bad = 0 ]; then
			echo "ok   $t: ${#files[@]} inputs replayed"
		else
			fail=1
		fi
		continue
	fi
	if [ -d "$here/corpus/$t" ]; then
		cp "$here/corpus/$t"/* "$work/corpus/" 2>/dev/null
	fi
	dict=()
	[ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
	"$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/crashes/" \
	    "${dict[@]}" "$work/corpus" >"$log" 2>&1
	rc=$?
	crashes=$(find "$work/crashes" -type f | sort)
	if [ $rc -ne 0 ] || [ -n "$crashes" ]; then
		fail=1
		if [ -z "$crashes" ]; then
			echo "FAIL $t: exit status $rc and no crash file"
			tail -n 40 "$log"
		fi
		for f in $crashes; do
			report_crash "$t" "$f" "$log"
		done
		continue
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "ok   $t: ${runs:-?} runs in ${seconds}s, $cov"
done
exit $fail
