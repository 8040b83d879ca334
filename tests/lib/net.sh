# Port helpers shared by the test scripts (through common.sh) and the server
# fixtures. Only loopback addresses are used.

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on. Ports
# come at random from 20000-32767, below Linux's default ephemeral range
# (32768-60999), so outgoing connections do not take them. Another process
# may still bind the port first; a caller that then fails to listen should
# pick again.
free_port() {
	local port i
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
		if ! port_listening "$port"; then
			echo "$port"
			return 0
		fi
	done
	echo "free_port: no free TCP port found on 127.0.0.1" >&2
	return 1
}

# port_listening PORT: true when a TCP socket listens on PORT.
port_listening() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}
