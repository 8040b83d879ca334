# Process helpers shared by the test scripts (through common.sh) and the
# server fixtures.

# process_start_time PID: prints the start time of PID in clock ticks since
# boot (field 22 of /proc/PID/stat), or nothing when PID does not exist or
# has exited and waits as a zombie for its parent. A PID and its start time
# together name one process even after PID reuse.
process_start_time() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	# The command name in field 2 may contain spaces; fields after it are fixed.
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	[ "$1" = Z ] || echo "${20}"
}

# process_running PID: true while PID exists and is no zombie.
process_running() {
	[ -n "$(process_start_time "$1")" ]
}

# wait_for_exit PID START_TIME [SECONDS]: returns once the process PID that
# started at START_TIME has exited, or after SECONDS; checks every second.
wait_for_exit() {
	local deadline=$((SECONDS + ${3:-2147483647}))
	while [ "$(process_start_time "$1")" = "$2" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 1
	done
}

# stop_process_group PID NEEDLE: sends TERM, then KILL after 5 s, to the
# process group led by PID. It signals only while the command line of PID
# contains NEEDLE, so a reused PID is never hit. For processes started with
# setsid, which lead their own group.
stop_process_group() {
	local pid=$1 i
	if [ -n "$pid" ] && ps -o args= -p "$pid" 2>/dev/null | grep -qF -- "$2"; then
		kill -TERM -- "-$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			process_running "$pid" || break
			sleep 0.1
		done
		if process_running "$pid"; then
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
	fi
}
