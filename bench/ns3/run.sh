#!/usr/bin/env bash
# Builds bench/ns3/hold.cc against Debian's libns3-dev, runs the hold model on
# ns-3's schedulers, runs sipsim's hold benchmarks in the same session, and
# prints both side by side in events per second.
#
#   bash bench/ns3/run.sh            # everything (a few minutes)
#   EVENTS=500000 bash bench/ns3/run.sh   # fewer events per ns-3 run
#
# Needs: g++ and libns3-dev (apt-get install -y g++ libns3-dev).
# Not part of CI: the numbers depend on the machine and are compared as
# ratios within one run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="/usr/local/go/bin:$PATH"

EVENTS="${EVENTS:-2000000}"
PENDING="${PENDING:-1000 100000 1000000}"
SCHEDULERS="${SCHEDULERS:-Map Heap Calendar PriorityQueue List}"

if ! [ -e /usr/include/ns3/core-module.h ]; then
	echo "run.sh: libns3-dev is not installed (apt-get install -y g++ libns3-dev)" >&2
	exit 2
fi

# Debian's ns3-core.pc carries a malformed Cflags line ("-I/usr;"), so the
# flags are given by hand: the headers are in /usr/include/ns3, the library
# is libns3-core.
g++ -O2 -std=c++17 -o "$here/hold" "$here/hold.cc" -lns3-core

out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "# ns-3 $(dpkg-query -W -f='${Version}' libns3-dev 2>/dev/null || echo '?'), events per run: $EVENTS"
for n in $PENDING; do
	for s in $SCHEDULERS; do
		ev="$EVENTS"
		# ListScheduler inserts in O(n): keep its runs short.
		if [ "$s" = List ]; then
			[ "$n" -gt 1000 ] && continue
			ev=$((EVENTS / 10))
		fi
		"$here/hold" "$s" "$n" "$ev" | tee -a "$out"
	done
	"$here/hold" Map "$n" "$((EVENTS / 10))" cancel | tee -a "$out"
done

echo "# sipsim: go test -run xxx -bench Hold ./sim/"
(cd "$root" && go test -run xxx -bench Hold -benchtime "${EVENTS}x" ./sim/) | tee -a "$out"

echo
echo "# summary: events per second (ns-3: per CPU-second in Simulator::Run; Go: per wall-second of the benchmark loop)"
awk '
/^scheduler=/ {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	printf "%-40s pending=%-8s %12.0f events/s  (%.1f ns/event)\n", f["scheduler"] " " f["model"], f["pending"], f["events_per_cpu_s"], f["ns_per_event"]
}
/^Benchmark/ {
	printf "%-40s %-17s %12.0f events/s  (%s ns/op, %s allocs/op)\n", $1, "", 1e9 / $3, $3, $(NF-1)
}' "$out"
