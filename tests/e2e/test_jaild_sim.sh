#!/bin/bash
# test_jaild_sim.sh - drive build/jaild-sim (JAILD_SIM_BIN) through every
# subcommand against a fresh data directory and check output and exit codes.
set -u

SIM=${JAILD_SIM_BIN:-./build/jaild-sim}
if [ ! -x "$SIM" ]; then
	echo "not ok - jaild-sim not found at $SIM"
	exit 1
fi
D=$(mktemp -d /tmp/jd-sim-e2e-XXXXXX)
trap 'rm -rf "$D"' EXIT
n=0

fail() {
	echo "not ok $((n + 1)) - $*"
	echo "$n passed, 1 failed"
	exit 1
}

# ok DESCRIPTION WANT_RC CMD... : run, keep stdout in $out, stderr in $err
ok() {
	local desc=$1 want=$2
	shift 2
	out=$("$SIM" --data-dir "$D" "$@" 2>"$D/.err")
	rc=$?
	err=$(cat "$D/.err")
	[ "$rc" -eq "$want" ] || fail "$desc: exit $rc, want $want (stderr: $err)"
	n=$((n + 1))
}

has() {	# has DESCRIPTION HAYSTACK NEEDLE
	case "$2" in
	*"$3"*) n=$((n + 1)) ;;
	*) fail "$1: \"$2\" lacks \"$3\"" ;;
	esac
}

lacks() {
	case "$2" in
	*"$3"*) fail "$1: \"$2\" has \"$3\"" ;;
	*) n=$((n + 1)) ;;
	esac
}

# usage and argument errors
ok "no arguments" 1
has "usage" "$err" "usage: jaild-sim --data-dir DIR"
out=$("$SIM" ls 2>&1) && fail "ls without --data-dir succeeded"
n=$((n + 1))
ok "unknown command" 1 frobnicate
has "unknown command" "$err" 'unknown command "frobnicate"'
ok "remove without a name" 1 remove
has "remove usage" "$err" "usage: jaild-sim --data-dir DIR remove NAME"
out=$("$SIM" --data-dir /nonexistent/dir ls 2>&1) &&
	fail "a missing data directory succeeded"
n=$((n + 1))

# an empty host
ok "ls on an empty host" 0 ls
has "ls header" "$out" "JID  Name"
ok "ls --json on an empty host" 0 ls --json
has "empty json" "$(echo $out)" '"items": []'

# create
ok "create" 0 create web1 path=/j/web1 host.hostname=web1.test \
	ip4.addr=10.0.0.5,10.0.0.1 allow.raw_sockets
has "create output" "$out" "web1: created (jid 1)"
ok "create a second" 0 create db1 path=/j/db1
has "second jid" "$out" "db1: created (jid 2)"
ok "create the same name" 1 create web1 path=/j/other
has "exists" "$err" '"web1" already exists'
ok "create without path" 1 create x1 securelevel=1
has "path required" "$err" "path=... is required"
ok "create with a bad value" 1 create x1 path=/j/x1 enforce_statfs=7
has "range" "$err" "enforce_statfs"
ok "create with an unknown parameter" 1 create x1 path=/j/x1 nosuch=1
has "unknown" "$err" "unknown parameter: nosuch"
ok "create with clashing addresses" 1 create x1 path=/j/x1 ip4.addr=10.0.0.1
has "clash" "$err" "IPv4 addresses clash"

# ls
ok "ls" 0 ls
has "ls web1 row" "$out" "web1"
has "ls primary address" "$out" "10.0.0.5"
has "ls path" "$out" "/j/db1"
ok "ls --json" 0 ls --json
has "json name" "$out" '"name": "web1"'
has "json ip order" "$out" '"ip4.addr": "10.0.0.5,10.0.0.1"'
has "json bool" "$out" '"allow.raw_sockets": "true"'
has "json hostname" "$out" '"hostname": "web1.test"'
ok "ls with a bad option" 1 ls --nope

# set
ok "set" 0 set web1 securelevel=2 allow.raw_sockets=false
has "set output" "$out" "web1: updated"
ok "ls after set" 0 ls --json
has "securelevel set" "$out" '"securelevel": "2"'
ok "set a create-only parameter" 1 set web1 path=/j/web1
has "create-only" "$err" "path cannot be changed after creation"
ok "set on a missing prison" 1 set nosuch securelevel=1
has "missing" "$err" '"nosuch" not found'
ok "set a bad boolean" 1 set web1 allow.mount=maybe

# aliases
ok "addr-add" 0 addr-add em0 10.0.0.5/24
ok "addr-add v6" 0 addr-add em0 fd00::5
ok "addr-add twice" 1 addr-add em0 10.0.0.5/24
ok "addrs" 0 addrs
has "addrs v4" "$out" "em0 inet 10.0.0.5/24"
has "addrs v6" "$out" "em0 inet6 fd00::5/128"
ok "addr-del" 0 addr-del web1 10.0.0.5
has "addr-del output" "$out" "web1: removed alias em0 10.0.0.5"
ok "addrs after addr-del" 0 addrs
lacks "alias gone" "$out" "10.0.0.5"
ok "addr-del again" 1 addr-del web1 10.0.0.5
has "not there" "$err" "10.0.0.5"
ok "addr-del on a missing prison" 1 addr-del nosuch fd00::5

# mounts
ok "mount" 0 mount devfs devfs /j/web1/dev ruleset=4
ok "mount nullfs" 0 mount nullfs /j/base /j/web1/basejail ro
ok "mounts" 0 mounts
has "mounts devfs" "$out" "devfs on /j/web1/dev (devfs, ruleset=4)"
has "mounts nullfs" "$out" "/j/base on /j/web1/basejail (nullfs, ro)"
ok "umount" 0 umount /j/web1/dev
ok "mounts after umount" 0 mounts
lacks "devfs gone" "$out" "/j/web1/dev "
ok "umount again" 1 umount /j/web1/dev
has "umount error" "$err" "/j/web1/dev: Invalid argument"

# remove (like jail -r without hooks: mounts and aliases stay)
ok "remove" 0 remove web1
has "remove output" "$out" "web1: removed"
ok "ls after remove" 0 ls
lacks "web1 hidden" "$out" "web1"
ok "ls --dying" 0 ls --dying
has "web1 dying" "$out" "DYING"
ok "mounts stay" 0 mounts
has "nullfs stays" "$out" "/j/web1/basejail"
ok "remove again" 1 remove web1
has "remove missing" "$err" '"web1" not found'
ok "create the name again" 0 create web1 path=/j/web1
has "new jid" "$out" "web1: created (jid 3)"
ok "remove by jid" 0 remove 3

# faults and delays
ok "fault" 0 fault create 2 EPERM
ok "fault every" 0 fault mount 1 EIO --every
ok "delay" 0 delay remove 50
ok "fault show" 0 fault
has "fault listed" "$out" "fault create 2 EPERM (0 calls so far)"
has "every listed" "$out" "fault mount 1 EIO --every"
has "delay listed" "$out" "delay remove 50"
ok "fault with an unknown op" 1 fault frob 1 EPERM
has "unknown op" "$err" 'unknown operation "frob"'
ok "fault with an unknown errno" 1 fault create 1 ENOTANERRNO
ok "fault with a bad count" 1 fault create x EPERM
ok "fault with N 0" 1 fault create 0 EPERM
ok "fault usage" 1 fault create 1
ok "delay with bad ms" 1 delay mount soon
# the admin is not subject to faults
ok "admin create under a fault" 0 create x2 path=/j/x2
ok "fault clear" 0 fault clear
ok "fault show after clear" 0 fault
[ -z "$out" ] || fail "faults left after clear: $out"
n=$((n + 1))
ok "linger" 0 linger 100
ok "linger bad" 1 linger -5

# journal
ok "journal" 0 journal
has "journal create" "$out" "admin create name=web1"
has "journal failure" "$out" "-> EEXIST"
has "journal remove" "$out" "admin remove 1 (web1)"
has "journal addr_del" "$out" "admin addr_del em0 inet 10.0.0.5"
has "journal unmount" "$out" "admin unmount /j/web1/dev"
ok "journal --clear" 0 journal --clear
ok "journal after clear" 0 journal
[ -z "$out" ] || fail "journal not empty after clear: $out"
n=$((n + 1))
ok "journal bad option" 1 journal --nope

# the state file is where jaild looks for it
[ -f "$D/host-sim.state" ] || fail "no $D/host-sim.state"
n=$((n + 1))
[ -f "$D/host-sim.lock" ] || fail "no $D/host-sim.lock"
n=$((n + 1))

echo "$n passed, 0 failed"
