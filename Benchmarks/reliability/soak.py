"""The soak test's load driver and checker (see soak.sh). Standard library only; 127.0.0.1 only."""
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time

from corpus import read_articles


def request(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data


def read_ids(corpus):
    articles = read_articles(corpus)
    return [a["id"] for a in articles], [a.get("title") or "" for a in articles]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def drive(port, pid, minutes, corpus, work):
    ids, titles = read_ids(corpus)
    deadline = time.time() + minutes * 60
    lock = threading.Lock()
    # The state every acknowledged write leaves: id -> title (None: deleted).
    acknowledged = {}
    counts = {"requests": 0, "5xx": 0, "errors": 0, "reloads": 0, "writes": 0, "reindexes": 0}
    latencies = {"by-id": [], "draft": [], "write": []}
    def worker(seed):
        rng = random.Random(seed)
        # Each worker writes its own ids, so the acknowledged state of an id is never raced; the
        # ids cycle, so the server's overlay of upserts stays bounded.
        pool = [f"soak-{seed}-{i}" for i in range(50)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < deadline:
            roll = rng.random()
            began = time.perf_counter()
            kind = "by-id"
            try:
                if roll < 0.6:
                    path = f"/v1/articles/{rng.choice(ids)}/related?k=10"
                    if rng.random() < 0.3:
                        path += "&half_life=7&diversity=0.9&fallback=section"
                    status, _ = request(conn, "GET", path)
                elif roll < 0.8:
                    kind = "draft"
                    body = {"title": rng.choice(titles), "body": " ".join(rng.sample(titles, 3)), "k": 10}
                    status, _ = request(conn, "POST", "/v1/related", body)
                elif roll < 0.95:
                    kind = "write"
                    target = rng.choice(pool)
                    title = f"Soak {target} revision {rng.randrange(1 << 30)}: {rng.choice(titles)}"
                    status, _ = request(conn, "PUT", f"/v1/articles/{target}",
                                        {"title": title, "body": " ".join(rng.sample(titles, 4)), "section": "soak"})
                    if status in (200, 201):
                        with lock:
                            acknowledged[target] = title
                            counts["writes"] += 1
                else:
                    kind = "write"
                    target = rng.choice(pool)
                    status, _ = request(conn, "DELETE", f"/v1/articles/{target}")
                    if status == 204:
                        with lock:
                            acknowledged[target] = None
                            counts["writes"] += 1
                    elif status == 404:
                        with lock:
                            # Already gone: right only if it was never written or last deleted.
                            if acknowledged.get(target) is not None:
                                counts["errors"] += 1
                                print(f"DELETE {target}: 404 but it was acknowledged present", file=sys.stderr)
            except Exception as error:  # a dropped connection counts as an error, then reconnect
                with lock:
                    counts["errors"] += 1
                print(f"request failed: {error!r}", file=sys.stderr)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                counts["requests"] += 1
                latencies[kind].append(elapsed)
                if status >= 500:
                    counts["5xx"] += 1

    reindex_every = float(os.environ.get("KINDRED_SOAK_REINDEX_SECONDS", "60"))

    def reloader():
        """A reload every 5 s; every `reindex_every` s a new model is built first (the nightly job)."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        last_build = time.time()
        while time.time() < deadline:
            time.sleep(5)
            if reindex_every > 0 and time.time() - last_build >= reindex_every:
                subprocess.run([".build/release/kindred", "reindex", "--corpus", corpus, "--model",
                                os.path.join(work, "models"), "--keep", "2"],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                last_build = time.time()
                with lock:
                    counts["reindexes"] += 1
            status, body = request(conn, "POST", "/admin/reload")
            with lock:
                counts["reloads"] += 1
                if status >= 500:
                    counts["5xx"] += 1
                    print(f"reload: {status} {body[:200]!r}", file=sys.stderr)

    memory = []

    def sampler():
        began = time.time()
        while time.time() < deadline:
            memory.append((time.time() - began, rss_kib(pid)))
            time.sleep(2)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    threads += [threading.Thread(target=reloader), threading.Thread(target=sampler)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    with open(os.path.join(work, "acknowledged.json"), "w") as f:
        json.dump(acknowledged, f)
    problems = verify_state(port, acknowledged)

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * p))] if values else 0

    print(f"requests: {counts['requests']} ({counts['requests'] / (minutes * 60):.0f}/s), "
          f"writes acknowledged {counts['writes']}, reloads {counts['reloads']} "
          f"(after {counts['reindexes']} new builds)")
    print(f"failures: 5xx {counts['5xx']}, transport errors {counts['errors']}, "
          f"acknowledged writes missing or wrong {problems}")
    for kind, values in latencies.items():
        print(f"latency:  {kind:6} p50 {pct(values, 0.5):7.2f} ms   p99 {pct(values, 0.99):7.2f} ms   ({len(values)})")
    if memory:
        first_half = [m for t, m in memory if t < minutes * 30]
        second_half = [m for t, m in memory if t >= minutes * 30]
        print(f"memory:   RSS at start {memory[0][1] / 1024:.0f} MiB, max {max(m for _, m in memory) / 1024:.0f} MiB, "
              f"end {memory[-1][1] / 1024:.0f} MiB; median first half {statistics.median(first_half) / 1024:.0f} MiB, "
              f"second half {statistics.median(second_half or first_half) / 1024:.0f} MiB")
        step = max(1, len(memory) // 10)
        print("memory:   RSS every ~" + f"{memory[step][0] - memory[0][0] if len(memory) > step else 0:.0f} s (MiB): "
              + " ".join(f"{m / 1024:.0f}" for _, m in memory[::step]))
    if counts["5xx"] or counts["errors"] or problems:
        sys.exit(1)


def verify_state(port, acknowledged):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    problems = 0
    for article, title in acknowledged.items():
        status, body = request(conn, "GET", f"/v1/articles/{article}")
        if title is None and status != 404:
            problems += 1
            print(f"{article}: deleted but answers {status}", file=sys.stderr)
        elif title is not None and (status != 200 or json.loads(body)["title"] != title):
            problems += 1
            print(f"{article}: expected '{title}', got {status}", file=sys.stderr)
    return problems


def verify(port, work):
    with open(os.path.join(work, "acknowledged.json")) as f:
        acknowledged = json.load(f)
    problems = verify_state(port, acknowledged)
    print(f"restart:  {len(acknowledged)} articles written, {problems} missing or wrong after SIGKILL and restart")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1] == "drive":
        drive(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        verify(int(sys.argv[2]), sys.argv[3])
