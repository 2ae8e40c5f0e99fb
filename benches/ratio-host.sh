#!/usr/bin/env bash
# The ratio script's two runs of each model (../shared/bench/ratio.sh: the SimPy peer, then
# smsim, the outbound blast and the two-way blast), made the same way, with what the host did
# meanwhile: each command's own CPU time (user + system, all its threads) and the time the
# hypervisor took from this machine's cores while it ran (steal, from /proc/stat, summed over
# the cores). A run whose wall time swings while its CPU time does not was slowed by the host.
# Usage: benches/ratio-host.sh PATH/TO/smsim [N] [BENCH_DIR]
#   N: requests (default 1000000); BENCH_DIR: where ratio.sh and its peer are
#   (default ../shared/bench beside this repository).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
smsim=${1:?usage: ratio-host.sh PATH/TO/smsim [N] [BENCH_DIR]}; n=${2:-1000000}
bench=${3:-$here/../../shared/bench}
[ -f "$bench/simpy_blast.py" ] || { echo "no SimPy peer in $bench: give BENCH_DIR" >&2; exit 1; }
[ -r /proc/stat ] || { echo "no /proc/stat: this script reads the host's steal time from it" >&2; exit 1; }
venv=${TMPDIR:-/tmp}/smsim-peer-venv
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q simpy==4.1.2; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
tick=$(getconf CLK_TCK)
steal() { awk '/^cpu /{print $9}' /proc/stat; }
# Prints: wall seconds, CPU seconds, steal seconds of one command.
t() {
  local s0 s1 r
  s0=$(steal)
  r=$(/usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1)
  s1=$(steal)
  read -r w u s <<<"$r"
  python3 -c "print($w, round($u + $s, 2), round(($s1 - $s0) / $tick, 2))"
}
for model in "blast-peer.toml 0" "blast-peer-two-way.toml 0.3"; do
  set -- $model
  read -r pw pc ps < <(t "$venv/bin/python" "$bench/simpy_blast.py" "$n" 20 1 1 "$2")
  read -r rw rc rs < <(t "$smsim" run "$bench/$1" --quiet --set customers.count="$n" --out "$out/o")
  ratio=$(python3 -c "print(round($pw/max($rw,0.001),1))")
  echo "$1: simpy ${pw}s (cpu ${pc}s, steal ${ps}s)  smsim ${rw}s (cpu ${rc}s, steal ${rs}s)  ratio ${ratio}x"
done
