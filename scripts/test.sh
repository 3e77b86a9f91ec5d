#!/usr/bin/env bash
# The README's test command: start the real services the tests need, then vet
# and run every test with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
go vet ./...
go test -race -count=1 -timeout 15m ./... "$@"
