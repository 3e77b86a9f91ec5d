# commentd: the two commands are `make run` and `make test`.
.PHONY: run test build bench bench-go eval

run: ## run the service on the embedded default (SQLite, in-process limiter)
	go run ./cmd/commentd serve

test: ## run every test against real Redis and PostgreSQL (started when missing)
	bash scripts/test.sh

build: ## a static binary in ./bin
	CGO_ENABLED=0 go build -trimpath -o bin/commentd ./cmd/commentd

bench: ## load benchmark: commentd on SQLite and on PostgreSQL (+ Redis) against bare-Gin floors
	bash scripts/bench.sh

bench-go: ## in-process Go benchmarks
	go test -run XXX -bench . -benchmem ./...

# The public corpora the eval reads (see ../shared/corpora/README.md); never copied here.
CORPORA ?= ../shared/corpora

eval: ## the filter's figures (README, Filter quality) on the shared corpora and the blog check set
	@go build -o bin/commentd ./cmd/commentd
	@bin/commentd eval --row header
	@bin/commentd eval --row "YouTube train3 → test2, fresh model" --no-starter \
		--train $(CORPORA)/benchmark/youtube-train.jsonl --test $(CORPORA)/benchmark/youtube-test.jsonl
	@bin/commentd eval --row "SMS 70/30, fresh model" --no-starter \
		--train $(CORPORA)/benchmark/sms-train.jsonl --test $(CORPORA)/benchmark/sms-test.jsonl
	@bin/commentd eval --row "blog check set, starter model" --test internal/eval/testdata/blog.jsonl
	@bin/commentd eval --row "YouTube 5-fold, starter + other folds" --folds 5 --test $(CORPORA)/youtube-spam-collection.jsonl
	@bin/commentd eval --row "SMS 5-fold, starter + other folds" --folds 5 --test $(CORPORA)/sms-spam-collection.jsonl
