#!/usr/bin/env bash
# scripts/opensearch/smoke.sh: exercise a cluster started by scripts/opensearch-cluster.
#
# Creates an index with one replica and an analysis-common analyzer (ngram tokenizer with
# token_chars, cjk_width), bulks a few documents, searches, SIGKILLs node N (default 2),
# searches the survivor, restarts node N, waits for green, searches again. It does not start
# or stop the cluster. Prints timings and per-node RSS. Exit 0 on success.
#   scripts/opensearch-cluster start && scripts/opensearch/smoke.sh [N]; scripts/opensearch-cluster stop
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER=$ROOT/scripts/opensearch-cluster
KILL=${1:-2}
eval "$("$CLUSTER" env)"
IFS=, read -r -a URLS <<<"$OPENSEARCH_URL"
INDEX=smoke-news

say() { printf 'smoke: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
req() {   # req METHOD URL [BODY] -> body on stdout, fails on HTTP >= 400
  local m=$1 u=$2
  shift 2
  curl -fsS --max-time 30 -X "$m" "$u" -H 'content-type: application/json' "$@"
}
hits() {  # hits URL QUERY-JSON -> total hits
  req POST "$1/$INDEX/_search" -d "$2" | grep -o '"total":{"value":[0-9]*' | grep -o '[0-9]*$'
}
expect_hits() {  # expect_hits URL WANT QUERY-JSON
  local got
  got=$(hits "$1" "$3") || fail "search on $1 failed"
  [[ $got == "$2" ]] || fail "search on $1: $got hits, want $2: $3"
  say "search on $1: $got hits as expected"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1fs", b - a}'; }

req DELETE "${URLS[0]}/$INDEX" >/dev/null 2>&1 || true
req PUT "${URLS[0]}/$INDEX" -d '{
  "settings": {
    "number_of_shards": 2, "number_of_replicas": 1,
    "analysis": {
      "tokenizer": {"zh_ngram": {"type": "ngram", "min_gram": 1, "max_gram": 2, "token_chars": ["letter", "digit"]}},
      "analyzer": {"zh": {"type": "custom", "tokenizer": "zh_ngram", "filter": ["cjk_width", "lowercase"]}}
    }
  },
  "mappings": {"properties": {"title": {"type": "text", "analyzer": "zh"}, "body": {"type": "text", "analyzer": "zh"}}}
}' >/dev/null
say "index $INDEX created (2 shards, 1 replica, ngram + cjk_width analyzer)"

tokens=$(req POST "${URLS[0]}/$INDEX/_analyze" -d '{"analyzer": "zh", "text": "ＯＰＥＮ北京"}' | grep -o '"token":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
say "analyze ＯＰＥＮ北京 -> $tokens"
[[ " $tokens" == *" op "* && " $tokens" == *" 北京 "* ]] || fail "cjk_width/ngram tokens wrong: $tokens"

curl -fsS --max-time 30 -X POST "${URLS[0]}/$INDEX/_bulk?refresh=true" -H 'content-type: application/x-ndjson' --data-binary $'{"index":{"_id":"1"}}\n{"title":"北京举行ＯＰＥＮ大会","body":"新华社北京电 今天在北京举行"}\n{"index":{"_id":"2"}}\n{"title":"上海股市上涨","body":"上海证券交易所 ２０２６年"}\n{"index":{"_id":"3"}}\n{"title":"广州天气","body":"广州今日多云"}\n{"index":{"_id":"4"}}\n{"title":"北京天气","body":"北京今日晴"}\n' |
  grep -q '"errors":false' || fail "bulk had errors"
say "bulk of 4 documents indexed"
"$CLUSTER" wait

Q_BEIJING='{"query": {"match_phrase": {"body": "北京"}}}'
Q_OPEN='{"query": {"match": {"title": "open"}}}'
Q_2026='{"query": {"match_phrase": {"body": "2026"}}}'
for u in "${URLS[@]}"; do
  expect_hits "$u" 2 "$Q_BEIJING"
  expect_hits "$u" 1 "$Q_OPEN"
  expect_hits "$u" 1 "$Q_2026"
done

"$CLUSTER" status | grep '^node-' >&2 || true

t=$(now)
"$CLUSTER" kill-node "$KILL"
say "node-$KILL SIGKILLed in $(since "$t")"
for ((i = 1; i <= ${#URLS[@]}; i++)); do
  ((i == KILL)) && continue
  t=$(now)
  expect_hits "${URLS[i - 1]}" 2 "$Q_BEIJING"
  say "search with node-$KILL dead answered in $(since "$t")"
  health=$(curl -sS --max-time 40 "${URLS[i - 1]}/_cluster/health?timeout=5s" || true)
  say "health with node-$KILL dead: $health"
done

t=$(now)
"$CLUSTER" start-node "$KILL"
say "node-$KILL restarted and cluster green again in $(since "$t")"
for u in "${URLS[@]}"; do expect_hits "$u" 2 "$Q_BEIJING"; done
"$CLUSTER" status | grep '^node-' >&2 || true
req DELETE "${URLS[0]}/$INDEX" >/dev/null
echo "smoke: OK"
