"""Writes at a fixed rate to Kindred replicas and, optionally, times how long each write takes to
be served by every other replica.

    python3 writes.py RATE SECONDS PORT [PORT ...]            # write only (background load)
    python3 writes.py --visibility RATE SECONDS PORT [PORT ...]

Writes rotate over the ports; with --visibility, after each acknowledged write the other replicas
are polled (every 5 ms) for the article, and the time from the write's acknowledgement to its
being served there is recorded. Prints a JSON summary on stdout.
"""
import http.client
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

local = threading.local()


def connection(port):
    pool = getattr(local, "pool", None)
    if pool is None:
        pool = local.pool = {}
    if port not in pool:
        pool[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    return pool[port]


def request(port, method, path, body=None):
    for attempt in range(2):
        conn = connection(port)
        try:
            headers = {"Content-Type": "application/json"} if body else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (http.client.HTTPException, OSError):
            conn.close()
            local.pool.pop(port, None)
    return 0


def main():
    args = sys.argv[1:]
    visibility = args[0] == "--visibility"
    if visibility:
        args = args[1:]
    rate, seconds, ports = float(args[0]), float(args[1]), [int(p) for p in args[2:]]
    latencies, failures, written = [], 0, 0
    lock = threading.Lock()

    def watch(write_port, article_id, acknowledged):
        for port in ports:
            if port == write_port:
                continue
            while request(port, "GET", f"/v1/articles/{article_id}") != 200:
                if time.monotonic() - acknowledged > 10:
                    break
                time.sleep(0.005)
            with lock:
                latencies.append(time.monotonic() - acknowledged)

    def write(n, port, article_id, body):
        nonlocal written, failures
        status = request(port, "PUT", f"/v1/articles/{article_id}", body)
        with lock:
            if status in (200, 201):
                written += 1
            else:
                failures += 1
        if status in (200, 201) and visibility and len(ports) > 1:
            watch(port, article_id, time.monotonic())

    # Writes are sent at their scheduled times from a pool, so a slow answer does not lower the rate.
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=64) as pool:
        n = 0
        while time.monotonic() - start < seconds:
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            body = json.dumps({"title": f"Benchmark write {n}", "body": "Xiaomi Leica red dot camera phone tracker."})
            pool.submit(write, n, ports[n % len(ports)], f"bench-write-{int(start)}-{n}", body)
            n += 1
    elapsed = time.monotonic() - start
    summary = {"written": written, "failed": failures, "rate": round(written / elapsed, 1)}
    if latencies:
        ordered = sorted(latencies)
        summary.update({
            "visible_p50_ms": round(statistics.median(ordered) * 1000, 1),
            "visible_p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 1),
            "visible_max_ms": round(ordered[-1] * 1000, 1),
            "observations": len(ordered),
        })
    print(json.dumps(summary))


main()
