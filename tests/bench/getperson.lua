-- tests/bench/getperson.lua: wrk script for make bench (tests/bench/bench.sh).
--
-- Every connection POSTs the same X-Road SOAP getPerson request, read from
-- the file named by HK_BENCH_BODY. A response only counts as good when it
-- is HTTP 200 and carries the expected element (HK_BENCH_EXPECT, default
-- "getPersonResponse") and no SOAP fault: X-Road answers faults with HTTP
-- 200, which wrk alone would count as successes. At the end one line
-- starting with "HKBENCH" gives the figures bench.sh reads.

local path = os.getenv("HK_BENCH_BODY")
local expect = os.getenv("HK_BENCH_EXPECT") or "getPersonResponse"
local f = assert(io.open(path, "rb"), "cannot open HK_BENCH_BODY")
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '""'

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	good = 0
	bad = 0
	sample = nil
end

function response(status, headers, rbody)
	if status == 200 and rbody ~= nil and
	    string.find(rbody, expect, 1, true) ~= nil and
	    string.find(rbody, "Fault>", 1, true) == nil then
		good = good + 1
	else
		bad = bad + 1
		if sample == nil then
			sample = status .. " " .. string.sub(rbody or "", 1, 300)
		end
	end
end

function done(summary, latency, requests)
	local g, b, s = 0, 0, nil
	for _, t in ipairs(threads) do
		g = g + t:get("good")
		b = b + t:get("bad")
		s = s or t:get("sample")
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format("HKBENCH requests=%d good=%d bad=%d " ..
	    "rps=%.1f good_rps=%.1f p50_us=%d p90_us=%d p99_us=%d " ..
	    "max_us=%d mean_us=%.0f err_connect=%d err_read=%d " ..
	    "err_write=%d err_status=%d err_timeout=%d\n",
	    summary.requests, g, b, summary.requests / secs, g / secs,
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.max, latency.mean,
	    e.connect, e.read, e.write, e.status, e.timeout))
	if s ~= nil then
		io.write("HKBENCH-SAMPLE " .. string.gsub(s, "\n", " ") .. "\n")
	end
end
