-- wrk script for the load benchmark (load.rs): plays the requests `load --serve FILE` wrote,
-- a session cookie and a path per line, and prints p50/p95/p99 and the errors.
--
--   wrk -t 2 -c 60 -d 30s -s host/server/examples/load.lua http://127.0.0.1:PORT -- FILE

local started = 0
local counter = 0

function setup(thread)
  thread:set("id", started)
  started = started + 1
end

function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^([^\t]+)\t(.+)$")
    table.insert(lines, { cookie = cookie, path = path })
  end
  -- Each thread walks the list from its own starting point.
  counter = math.floor(#lines * id / 7)
end

function request()
  local entry = lines[counter % #lines + 1]
  counter = counter + 1
  return wrk.format("GET", entry.path, { ["Cookie"] = entry.cookie })
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "%d requests in %.1f s (%.0f/s): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms, errors %d (non-2xx %d)\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors, summary.errors.status))
end
