-- wrk script of bench_service.py. Argument: a plan file; its first line says GET or PATCH.
--   GET:   then "path<TAB>token" per line (token may be empty); requests cycle through them.
--          Run with -t1: the cursor lives in one thread.
--   PATCH<TAB>path before the id<TAB>path after it<TAB>n: then n answer-set JSON objects, then
--          "assessment id<TAB>version<TAB>token" per line. Run with as many threads as
--          connections (-tN -cN): each thread has one connection, so a response belongs to the
--          thread's last request. Thread k takes the assessments k, k + N, k + 2N, … in turn
--          and sends answer set (version mod n) + 1 — two sets: the answers flip; one set per
--          item: each save answers the next item. The new version comes from the response
--          ("version": first in it; a 409 carries the current one), so every version is
--          current and no two requests ever race on one assessment.
-- done() prints one line "BENCH {json}" with requests, duration, p50, p99 and error counts.

local threads = 0
function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

local mode, gets, sets, mine = nil, {}, {}, {}
local before, after = "", ""
local cursor, current = 0, nil

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
  local count = tonumber(args[2]) -- threads, as given to wrk -t
  local k = 0
  for i = n + 2, #lines do
    local id, version, token = lines[i]:match("^(%S+)\t(%d+)\t(%S+)$")
    if k % count == index then
      mine[#mine + 1] = {id = id, version = tonumber(version), token = token}
    end
    k = k + 1
  end
end

function request()
  if mode == "GET" then
    cursor = cursor % #gets + 1
    return gets[cursor]
  end
  cursor = cursor % #mine + 1
  current = mine[cursor]
  local headers = auth(current.token)
  headers["Content-Type"] = "application/json"
  local body = '{"version":' .. current.version .. ',"answers":' ..
    sets[current.version % #sets + 1] .. '}'
  return wrk.format("PATCH", before .. current.id .. after, headers, body)
end

function response(status, headers, body)
  local version = body:match('"version":(%d+)')
  if version ~= nil then
    current.version = tonumber(version)
  elseif status == 200 then
    current.version = current.version + 1
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
