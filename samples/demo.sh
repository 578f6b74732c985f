#!/usr/bin/env bash
# samples/demo.sh BINARY - the main job on bundled data, offline.
set -euo pipefail
bin=${1:-build/mailwarden}
"$bin" --help
