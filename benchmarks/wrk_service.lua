-- wrk script of bench_service.py (run with -t1: the answer pool lives in one thread).
-- Argument: a plan file. Its first line is GET or PATCH.
--   GET:   then "path<TAB>token" per line (token may be empty); requests cycle through them.
--   PATCH<TAB>path before the id<TAB>path after it<TAB>n: then n answer-set JSON objects, then
--          "assessment id<TAB>version<TAB>token" per line. Each request takes a free assessment
--          with its current version and sends answer set (version mod n) + 1 (two sets: the
--          answers flip; one set per item: each save answers the next item); the response
--          returns the assessment (id, new version) to the pool, so no two requests race on one
--          assessment and every version is current.
-- done() prints one line "BENCH {json}" with requests, duration, p50, p99 and error counts.

local mode, gets, sets, free, tokens = nil, {}, {}, {}, {}
local before, after = "", ""
local cursor = 0

local function auth(token)
  if token == nil or token == "" then return {} end
  return {["Authorization"] = "Bearer " .. token}
end

function init(args)
  local lines = {}
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  local head = {}
  for field in lines[1]:gmatch("[^\t]+") do head[#head + 1] = field end
  mode = head[1]
  if mode == "GET" then
    for i = 2, #lines do
      local path, token = lines[i]:match("^([^\t]+)\t?(.*)$")
      gets[#gets + 1] = wrk.format("GET", path, auth(token))
    end
    response = nil -- no body parsing for reads
    return
  end
  before, after = head[2], head[3]
  local n = tonumber(head[4])
  for i = 2, n + 1 do sets[#sets + 1] = lines[i] end
  for i = n + 2, #lines do
    local id, version, token = lines[i]:match("^(%S+)\t(%d+)\t(%S+)$")
    tokens[id] = token
    free[#free + 1] = {id = id, version = tonumber(version)}
  end
end

function request()
  if mode == "GET" then
    cursor = cursor % #gets + 1
    return gets[cursor]
  end
  local a = table.remove(free)
  if a == nil then -- pool exhausted (a response lost its assessment): fails visibly as a 404
    return wrk.format("PATCH", before .. "00000000-0000-0000-0000-000000000000" .. after)
  end
  local headers = auth(tokens[a.id])
  headers["Content-Type"] = "application/json"
  local body = '{"version":' .. a.version .. ',"answers":' .. sets[a.version % #sets + 1] .. '}'
  return wrk.format("PATCH", before .. a.id .. after, headers, body)
end

function response(status, headers, body)
  -- a saved assessment (200) or the current state of a stale one (409): id first, then version
  local id = body:match('"id":"([%x%-]+)"')
  local version = body:match('"version":(%d+)')
  if id ~= nil and version ~= nil and tokens[id] ~= nil then
    free[#free + 1] = {id = id, version = tonumber(version)}
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non2xx":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
