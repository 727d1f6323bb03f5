-- wrk script for bench/run.py.
--   wrk ... -s bench/wrk.lua <url> -- <paths file> [<method> <body file> [vary-address]]
-- Each request takes the next path from the file (each thread starts at its own
-- share of the list, so no two requests ask for the same path until the list runs
-- out). In a body, {n} becomes a string unique to the request (32 hex digits).
-- With vary-address, each request carries its own X-Real-IP, as from many visitors,
-- so a per-address limit meant for one browser does not stop the load.
-- At the end one JSON line, prefixed with "BENCH ", carries the figures.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
  thread:set("count", #threads)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    table.insert(paths, line)
  end
  method = args[2] or "GET"
  body = nil
  if args[3] then
    local file = io.open(args[3], "rb")
    body = file:read("*a")
    file:close()
  end
  -- wrk runs init once per thread, with the id set by setup.
  position = math.floor((id - 1) * #paths / count)
  sent = 0
  vary = args[4] == "vary-address"
end

function request()
  sent = sent + 1
  position = position % #paths + 1
  local request_body = nil
  if body then
    local unique = string.format("%08x%024d", id, sent)
    request_body = body:gsub("{n}", unique)
  end
  local headers = nil
  if vary then
    headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["X-Real-IP"] = string.format("10.%d.%d.%d", id % 256, math.floor(sent / 256) % 256, sent % 256)
  end
  return wrk.format(method, paths[position], headers, request_body)
end

function done(summary, latency, requests)
  local total_sent = 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "sent": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, '
      .. '"timeout": %d}}\n',
    summary.requests, total_sent, summary.duration, latency:percentile(50),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout
  ))
end
