# commentd: the two commands are `make run` and `make test`.
.PHONY: run test build bench

run: ## run the service on the embedded default (SQLite, in-process limiter)
	go run ./cmd/commentd serve

test: ## run every test against real Redis and PostgreSQL (started when missing)
	bash scripts/test.sh

build: ## a static binary in ./bin
	CGO_ENABLED=0 go build -trimpath -o bin/commentd ./cmd/commentd

bench: ## in-process benchmarks
	go test -run XXX -bench . -benchmem ./...
