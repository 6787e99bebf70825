-- bench/api-read.lua: wrk script for bench/api.sh.  GETs BENCH_PATH with
-- a bearer token: BENCH_TOKEN (one token, so every request after a
-- worker's first is a hit of its verified-token cache), or, when
-- BENCH_TOKEN_FILE names a file of tokens (one a line), a different
-- token on each request, in turn, so that the cache mostly misses and
-- the signature is verified again.  Counts the answers by status and
-- prints "statuses: 200=N 503=N other=N" at the end.

local path = os.getenv("BENCH_PATH")
local threads = {}
local tokens = {}
local ntokens = 0
local next_token = 0
local step = 1

n200, n503, nother = 0, 0, 0
first_error = ""

function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end

function init(args)
	local file = os.getenv("BENCH_TOKEN_FILE")

	if file ~= nil and file ~= "" then
		for line in io.lines(file) do
			ntokens = ntokens + 1
			tokens[ntokens] = line
		end
	else
		tokens[1] = os.getenv("BENCH_TOKEN")
		ntokens = 1
	end
	-- Thread i takes tokens i, i + n, i + 2n ...: the threads together
	-- go through every token before any comes back.
	step = tonumber(os.getenv("BENCH_THREADS") or "1")
	next_token = id
end

function request()
	local t = tokens[next_token % ntokens + 1]

	next_token = next_token + step
	return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. t })
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
