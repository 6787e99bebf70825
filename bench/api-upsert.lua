-- bench/api-upsert.lua: wrk script for bench/api.sh.  PUTs a
-- domain-default assignment, BENCH_PATH .../assignments/{capability},
-- with the body {"model_id": BENCH_MODEL, "model_version": "1"} and the
-- bearer token BENCH_TOKEN.
--
-- BENCH_KEYS=one: every request upserts the capability "one", so every
-- request waits for the key row that the one before it holds.
-- BENCH_KEYS=many: thread i upserts "t<i>-<n mod 100>" for its n-th
-- request; a thread has at most as many requests in flight as
-- connections (far fewer than 100), so no two concurrent requests share
-- a key.  Each key gets a new revision every 100 requests of its thread
-- (the first 100 of a thread also create their key).
--
-- Counts the answers by status and prints
-- "statuses: 200=N 503=N other=N" at the end.

local base = os.getenv("BENCH_PATH")
local keys = os.getenv("BENCH_KEYS") or "one"
local body = string.format('{"model_id":"%s","model_version":"1"}',
    os.getenv("BENCH_MODEL"))
local headers = {
	["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
	["Content-Type"] = "application/json",
}
local threads = {}
local counter = 0

n200, n503, nother = 0, 0, 0
first_error = ""

function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end

function request()
	local cap = "one"

	if keys == "many" then
		cap = string.format("t%d-%d", id, counter % 100)
		counter = counter + 1
	end
	return wrk.format("PUT", base .. cap, headers, body)
end

function response(status, headers, body)
	if status == 200 then
		n200 = n200 + 1
	else
		if status == 503 then
			n503 = n503 + 1
		else
			nother = nother + 1
		end
		if first_error == "" then
			first_error = status .. " " .. body
		end
	end
end

function done(summary, latency, requests)
	local a, b, c, e = 0, 0, 0, ""

	for _, thread in ipairs(threads) do
		a = a + thread:get("n200")
		b = b + thread:get("n503")
		c = c + thread:get("nother")
		if e == "" then
			e = thread:get("first_error")
		end
	end
	io.write(string.format("statuses: 200=%d 503=%d other=%d\n", a, b, c))
	if e ~= "" then
		io.write("first error: " .. e .. "\n")
	end
end
