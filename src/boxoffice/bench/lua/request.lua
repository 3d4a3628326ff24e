-- wrk script for boxoffice bench: one method/path/body from the environment,
-- optional bearer tokens rotated from a file, and a summary line with the
-- status codes that the bench parses (BENCH {...}).
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/healthz"
local body_file = os.getenv("BENCH_BODY")
local tokens_file = os.getenv("BENCH_TOKENS")
local token_header = os.getenv("BENCH_TOKEN_HEADER")  -- unset: Authorization: Bearer <token>
local body = nil
local tokens = {}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  if body_file then body = io.open(body_file):read("*a") end
  if tokens_file then
    for line in io.lines(tokens_file) do tokens[#tokens + 1] = line end
  end
end

function request()
  counter = counter + 1
  local headers = {["Content-Type"] = "application/json"}
  if #tokens > 0 then
    local token = tokens[((counter * 7919 + id * 104729) % #tokens) + 1]
    if token_header then headers[token_header] = token else headers["Authorization"] = "Bearer " .. token end
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, response_body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("codes")) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%d": %d', k, v) end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.4f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "socket_errors": %d, "codes": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors, table.concat(parts, ", ")))
end
