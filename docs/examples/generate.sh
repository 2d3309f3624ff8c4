#!/usr/bin/env bash
# Generate images with the async pattern, using nothing but curl and jq:
# generate_image queues the jobs and returns their ids at once, then wait_for_completion is called
# until no job is still running (each call waits up to 25 s on the server, so the loop is not a busy poll).
#
#   docs/examples/generate.sh "a lighthouse at dusk"
#   docs/examples/generate.sh -n 3 -p workers-ai -o out/ "a watercolor fox"
#   MCP_URL=https://imagegen.example.workers.dev/mcp MCP_TOKEN=... docs/examples/generate.sh "a red bicycle"
#
# Prints one line per job: its id, status and image URL (or error). Exits 0 when every image was made,
# 1 when any failed or the server refused the call, 2 on a usage error.
set -euo pipefail

MCP_URL=${MCP_URL:-http://localhost:8787/mcp}
MCP_TOKEN=${MCP_TOKEN:-}
# Seconds each wait_for_completion call may wait (server default 25, max 50); lower it behind short timeouts.
WAIT_SECONDS=${WAIT_SECONDS:-}
count=1 provider='' outdir=''

usage() {
  echo "usage: $0 [-n COUNT] [-p PROVIDER] [-o DIR] PROMPT" >&2
  echo "  env: MCP_URL (default $MCP_URL), MCP_TOKEN (bearer token, if the server has one), WAIT_SECONDS" >&2
  exit 2
}
while getopts 'n:p:o:h' opt; do
  case $opt in
    n) count=$OPTARG ;;
    p) provider=$OPTARG ;;
    o) outdir=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
[[ $count =~ ^[0-9]+$ ]] || usage
prompt="$*"
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }; done

# call TOOL ARGS_JSON: prints the tool's structuredContent, or the error and exits 1.
# Accept: application/json asks for one plain JSON reply (no event stream), which jq reads directly.
call() {
  local body reply
  body=$(jq -cn --arg name "$1" --argjson args "$2" \
    '{jsonrpc: "2.0", id: 1, method: "tools/call", params: {name: $name, arguments: $args}}')
  local headers=(-H 'Content-Type: application/json' -H 'Accept: application/json')
  [ -n "$MCP_TOKEN" ] && headers+=(-H "Authorization: Bearer $MCP_TOKEN")
  reply=$(curl -sS "${headers[@]}" --data-binary "$body" "$MCP_URL") || exit 1
  if ! jq -e . >/dev/null 2>&1 <<<"$reply"; then
    echo "not a JSON reply from $MCP_URL: ${reply:0:200}" >&2
    exit 1
  fi
  if jq -e '.error' >/dev/null <<<"$reply"; then
    jq -r '"server refused \(.error.code): \(.error.message)"' <<<"$reply" >&2
    exit 1
  fi
  if jq -e '.result.isError' >/dev/null <<<"$reply"; then
    jq -r '"\(.result.content | map(.text // empty) | join(" "))"' <<<"$reply" >&2
    exit 1
  fi
  jq -c '.result.structuredContent' <<<"$reply"
}

args=$(jq -cn --arg prompt "$prompt" --argjson count "$count" --arg provider "$provider" \
  '{prompt: $prompt, count: $count} + (if $provider == "" then {} else {provider: $provider} end)')
job_ids=$(call generate_image "$args" | jq -c '.job_ids')
echo "queued $(jq -r 'length' <<<"$job_ids") job(s): $(jq -r 'join(" ")' <<<"$job_ids")" >&2

while :; do
  result=$(call wait_for_completion "$(jq -cn --argjson ids "$job_ids" --arg wait "$WAIT_SECONDS" \
    '{job_ids: $ids} + (if $wait == "" then {} else {timeout_seconds: ($wait | tonumber)} end)')")
  status=$(jq -r '.status' <<<"$result")
  [ "$status" = running ] || break
  echo "still running: $(jq -r '.pending_job_ids | join(" ")' <<<"$result")" >&2
done

jq -r '.jobs[] | [.job_id, .status, (.image_url // .error // "")] | @tsv' <<<"$result"

if [ -n "$outdir" ]; then
  mkdir -p "$outdir"
  # Image URLs are signed: they load without the bearer token.
  jq -r '.jobs[] | select(.status == "completed") | [.job_id, .image_url, .content_type] | @tsv' <<<"$result" |
    while IFS=$'\t' read -r id url type; do
      file="$outdir/$id.${type#image/}"
      curl -sS --fail -o "$file" "$url" && echo "saved $file" >&2
    done
fi

[ "$status" = completed ]
