#!/usr/bin/env bash
# Entry point of `make bench` for the probe-throughput question: Tocsin vs wrk
# and blackbox_exporter. The work is in probe_vs_peers.py (Python 3 stdlib);
# see bench/README.md. Arguments and environment pass through.
set -euo pipefail
exec python3 "$(dirname "$0")/probe_vs_peers.py" "$@"
