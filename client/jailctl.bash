# jailctl.bash - bash completion for jailctl(1): subcommands, their options,
# and jail names, policy names and token ids asked from jaild with
# `jailctl ls -o name`, `jailctl policy ls -o name` and `jailctl token ls
# -o name` (through the same address, credential and TLS options the line
# already carries).

# jailctl with the line's connection options, a short timeout, no errors.
_jailctl_ask()
{
	local -a conn=()
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--url|--socket|--token|--token-file|--cacert|--pinnedpubkey)
			conn+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]}") ;;
		--url=*|--socket=*|--token=*|--token-file=*|--cacert=*|--pinnedpubkey=*)
			conn+=("${COMP_WORDS[i]}") ;;
		esac
	done
	command jailctl "${conn[@]}" --timeout 3 "$@" 2>/dev/null
}

_jailctl_jails()
{
	_jailctl_ask ls -o name
}

_jailctl_policies()
{
	_jailctl_ask policy ls -o name
}

_jailctl()
{
	local cur prev cmd i
	local commands="ls get create apply edit set rm start stop restart host adopt events token audit export import ip pool mount policy effective help"
	local globals="--url --socket --token --token-file --cacert --pinnedpubkey --timeout -o --output -v --verbose -h --help"

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	# The command is the first word that is neither an option nor the
	# value of a global option.
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--url|--socket|--token|--token-file|--cacert|--pinnedpubkey|--timeout|-o|--output) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	case $prev in
	-o|--output)
		COMPREPLY=($(compgen -W "json name" -- "$cur"))
		return ;;
	--socket|--token-file|--cacert)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--url|--token|--pinnedpubkey|--timeout|--hostname|--ip|--mount|--param|--label|--limit|--since|--expires|--description)
		return ;;
	--scope)
		COMPREPLY=($(compgen -W "read write admin" -- "$cur"))
		return ;;
	-f|--filename|--file|--path|-p)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--state)
		COMPREPLY=($(compgen -W "running stopped" -- "$cur"))
		return ;;
	--phase)
		COMPREPLY=($(compgen -W "pending creating running stopping stopped failed deleting" -- "$cur"))
		return ;;
	--depends|--jail)
		COMPREPLY=($(compgen -W "$(_jailctl_jails)" -- "$cur"))
		return ;;
	--policy)
		COMPREPLY=($(compgen -W "$(_jailctl_policies)" -- "$cur"))
		return ;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$globals --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	local opts=
	case $cmd in
	ls)	opts="--state --phase --label --limit" ;;
	create)	opts="--path --hostname --ip --mount --param --label --depends --policy --start --wait" ;;
	apply)	opts="-f --filename --wait" ;;
	set|rm|start|stop|restart) opts="--wait" ;;
	events)	opts="--since --jail" ;;
	audit)	opts="--since" ;;
	import)	opts="--dry-run --rc-conf" ;;
	token)	[ "${COMP_WORDS[i+1]}" = create ] &&
		    opts="--scope --jail --expires" ;;
	policy)	case ${COMP_WORDS[i+1]} in
		apply)	opts="--description --param --limit -f --filename --json" ;;
		get)	opts="--json" ;;
		esac ;;
	effective) opts="--json" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
		return
	fi

	case $cmd in
	get|edit|set|rm|start|stop|restart|export|effective)
		# set takes field names after the jail.
		if [ "$cmd" = set ] && [ "$i" -lt $((COMP_CWORD - 1)) ]; then
			compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -W "hostname= state= path= restart_policy= policies= param. label." -- "$cur"))
			return
		fi
		COMPREPLY=($(compgen -W "$(_jailctl_jails)" -- "$cur")) ;;
	host)
		[ $((i + 1)) -eq "$COMP_CWORD" ] &&
		    COMPREPLY=($(compgen -W "prisons params" -- "$cur")) ;;
	adopt)
		# Unmanaged prisons are the candidates.
		COMPREPLY=($(compgen -W "$(_jailctl_ask host prisons |
		    awk 'NR > 1 && $3 == "no" { print $1 }')" -- "$cur")) ;;
	token)
		if [ $((i + 1)) -eq "$COMP_CWORD" ]; then
			COMPREPLY=($(compgen -W "create ls rm" -- "$cur"))
		elif [ "${COMP_WORDS[i+1]}" = rm ]; then
			COMPREPLY=($(compgen -W "$(_jailctl_ask token ls -o name)" -- "$cur"))
		fi ;;
	policy)
		if [ $((i + 1)) -eq "$COMP_CWORD" ]; then
			COMPREPLY=($(compgen -W "ls get apply rm" -- "$cur"))
		else
			case ${COMP_WORDS[i+1]} in
			get|apply|rm)
				COMPREPLY=($(compgen -W "$(_jailctl_policies)" -- "$cur")) ;;
			esac
		fi ;;
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
	esac
}
complete -F _jailctl jailctl
