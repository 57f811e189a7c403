#!/bin/sh
# proxy.sh - run prism as the spec-validating proxy in front of a jaild.
#
# Usage: tests/spec/proxy.sh UPSTREAM_URL [PORT]
#   e.g. tests/spec/proxy.sh http://127.0.0.1:8080 4010
#
# The flags are the ones the API tests use: --errors turns a response that
# breaks openapi/openapi.yaml into prism's own 500 problem document, and
# --validate-request=false lets jaild's own 400/413/415/422 answers to bad
# requests through.  PORT 0 (the default) picks a free port; prism prints
# "Prism is listening on http://127.0.0.1:PORT" on stdout when it is ready.
# The script execs prism, so its pid is prism's (node's) pid.
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 UPSTREAM_URL [PORT]" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
prism=$top/tests/node_modules/.bin/prism
if [ ! -x "$prism" ]; then
	echo "$0: $prism missing; run: cd $top/tests && npm ci" >&2
	exit 1
fi
exec "$prism" proxy "$top/openapi/openapi.yaml" "$1" --errors \
    --validate-request=false --cors=false --host 127.0.0.1 --port "${2:-0}"
