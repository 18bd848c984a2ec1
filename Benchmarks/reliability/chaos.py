"""Chaos run for replicas on a PostgreSQL journal (driven by Benchmarks/chaos.sh).

Three `kindred serve --journal` replicas take writes from three writer threads while a chaos
thread SIGKILLs and restarts replicas, stops and starts PostgreSQL, runs `reindex --journal` on an
archive that follows the acknowledged writes (what a publisher's CMS would hold), and inserts rows
into kindred_journal that no Kindred can read. Then every replica is checked, and once more after
a last SIGKILL and restart of one of them:

- every id is answered the same by every replica (GET /v1/articles/{id});
- every id whose writes were all answered is served as its last acknowledged write left it (the
  answer read back right after it), or is gone when that write was a DELETE.

A write that got no answer (the replica was killed under it) or a 5xx may or may not have been
committed: its id is only checked for agreement between replicas, and counted as uncertain. A
DELETE of an article acknowledged as present that answers 404 is a failure: writes must decide on
everything committed before them.

Prints the counts and `chaos: N passed, M failed`; exits 1 on any failure.
"""
import argparse
import glob
import itertools
import socket
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

AWKWARD = [
    "&lt;br&gt;", "Use &lt;b&gt; tags on phone pages", "AT&amp;T", "&amp;lt;", "<b>bold</b>", "a < b && c > d",
    "&nbsp;", "&#x1F4F7;", "&copy; Leica", "\t", "caf\u00e9", "cafe\u0301", "日本のスマートフォン", "📷", '"quoted"',
    "back\\slash", "<p>para</p>", "&unknown;", "&lt;code&gt;if (a &amp;&amp; b)&lt;/code&gt;",
]
WORDS = ["Xiaomi", "Leica", "camera", "phone", "red", "dot", "tracker", "battery", "launch", "lens", "sensor"]
PREFIXES = ["chaos", "caf\u00e9", "日本"]


def request(port, method, path, body=None, timeout=30):
    """(status, text); status 0 when nothing answered."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text
    except (http.client.HTTPException, OSError):
        return 0, None


def free_port():
    """A loopback port nothing listens on now (the kernel's choice for a port-0 bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def path_of(article_id):
    return "/v1/articles/" + urllib.parse.quote(article_id, safe="")


class Replica:
    def __init__(self, arguments, port, log):
        self.arguments, self.port, self.log = arguments, port, log
        self.process = None
        self.up = threading.Event()

    def start(self):
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                self.arguments + ["--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=log)
        # A replica replays every entry its model has not absorbed before it is ready: in a debug
        # build, tens of thousands of them take a minute or more.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            status, _ = request(self.port, "GET", "/readyz", timeout=2)
            if status == 200:
                self.up.set()
                return True
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.kill()  # never leave a replica running that the run no longer tracks
        return False

    def kill(self):
        self.up.clear()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        self.up.clear()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Ledger:
    """What each id should be, from the writes' answers; keyed by the id in NFC."""

    def __init__(self):
        self.lock = threading.Lock()
        self.expected = {}  # id -> GET body after the last acknowledged write, or "404"
        self.fields = {}  # id -> fields of the last acknowledged PUT (for the archive)
        self.uncertain = set()
        self.failures = []
        self.counts = {"attempted": 0, "acknowledged": 0, "refused, nothing written (503)": 0, "unanswered": 0,
                       "same-second edits": 0, "deletes": 0}

    def count(self, key, by=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + by


class Writer(threading.Thread):
    def __init__(self, number, replicas, ledger, stop, seed):
        super().__init__(daemon=True)
        self.number, self.replicas, self.ledger, self.stop = number, replicas, ledger, stop
        self.random = random.Random(seed)
        self.ids = []

    def text(self, pieces):
        return " ".join(self.random.choice(WORDS if self.random.random() < 0.5 else AWKWARD) for _ in range(pieces))

    def port(self):
        live = [r.port for r in self.replicas if r.up.is_set()] or [r.port for r in self.replicas]
        return self.random.choice(live)

    def new_id(self):
        name = f"{self.random.choice(PREFIXES)}-{self.number}-{len(self.ids)}"
        self.ids.append(unicodedata.normalize("NFC", name))
        return self.ids[-1]

    def spelled(self, article_id):
        """The id as a client might send it: NFC or NFD."""
        return unicodedata.normalize(self.random.choice(["NFC", "NFD"]), article_id)

    def put(self, article_id, title):
        fields = {"title": title, "body": "Xiaomi Leica camera phone " + self.text(self.random.randint(3, 20))}
        if self.random.random() < 0.3:
            fields["body_format"] = self.random.choice(["text", "html"])
        if self.random.random() < 0.3:
            fields["tags"] = [self.random.choice(AWKWARD)]
        port = self.port()
        self.ledger.count("attempted")
        status, text = request(port, "PUT", path_of(self.spelled(article_id)), fields)
        return self.settle(article_id, port, status, fields, text)

    def settle(self, article_id, port, status, fields, text):
        ledger = self.ledger
        if status in (200, 201, 204):
            ledger.count("acknowledged")
            answer_status, answer = request(port, "GET", path_of(article_id))
            with ledger.lock:
                if status == 204:
                    ledger.expected[article_id] = "404"
                    ledger.fields.pop(article_id, None)
                elif answer_status == 200:
                    ledger.expected[article_id] = answer
                    ledger.fields[article_id] = fields
                else:  # the replica went away between the write and the read
                    ledger.uncertain.add(article_id)
                    ledger.fields[article_id] = fields
            return True
        if status == 503 and text and "nothing was written" in text:
            # The journal was away: the answer promises that nothing was written, and the check
            # holds it to that (the id keeps its expectation).
            ledger.count("refused, nothing written (503)")
            return False
        with ledger.lock:
            ledger.uncertain.add(article_id)
        ledger.count("unanswered" if status == 0 else f"status {status}")
        return False

    def run(self):
        while not self.stop.is_set():
            roll = self.random.random()
            known = [i for i in self.ids if self.ledger.expected.get(i, "404") != "404"]
            if roll < 0.15 and known:
                # Withdraw on a replica chosen afresh: it must see the PUT made elsewhere.
                article_id = self.random.choice(known)
                port = self.port()
                self.ledger.count("attempted")
                self.ledger.count("deletes")
                status, text = request(port, "DELETE", path_of(self.spelled(article_id)))
                if status == 404 and article_id not in self.ledger.uncertain:
                    with self.ledger.lock:
                        self.ledger.failures.append(f"DELETE {article_id} on :{port} answered 404 after its PUT")
                self.settle(article_id, port, status, None, text)
            elif roll < 0.3 and self.ids:
                # Two edits within the same second.
                article_id = self.random.choice(self.ids)
                self.ledger.count("same-second edits")
                if self.put(article_id, "First " + self.text(2)):
                    self.put(article_id, "Second " + self.text(3))
            else:
                article_id = self.new_id() if self.random.random() < 0.6 or not self.ids else self.random.choice(self.ids)
                self.put(article_id, self.text(self.random.randint(1, 5)))


def write_archive(directory, base, ledger):
    """The CMS's archive: the sample corpus plus every article as its last acknowledged PUT left it."""
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for file in glob.glob(os.path.join(base, "*.jsonl")):
        shutil.copy(file, directory)
    with ledger.lock:
        articles = [dict(fields, id=article_id) for article_id, fields in ledger.fields.items()
                    if ledger.expected.get(article_id) != "404"]
    with open(os.path.join(directory, "zz-chaos.jsonl"), "w") as out:
        for article in articles:
            out.write(json.dumps(article, ensure_ascii=False) + "\n")


def chaos(args, replicas, ledger, stop, counts):
    rng = random.Random(7)
    archive = os.path.join(args.work, "archive")
    # Every action once in each round (the first in this order, so that even a short run does
    # each), then the rounds in a new order each.
    first = ["kill", "poison", "postgresql", "reindex"]
    rounds = itertools.chain(first, (action for _ in itertools.count() for action in rng.sample(
        ["kill", "postgresql", "reindex", "poison", "kill", "reindex"], 6)))
    reindexing = None
    time.sleep(3)
    while not stop.is_set():
        action = next(rounds)
        if action == "kill":
            replica = rng.choice(replicas)
            replica.kill()
            time.sleep(rng.uniform(0.2, 1.5))
            if not replica.start():
                ledger.failures.append(f"replica :{replica.port} did not restart after a SIGKILL")
        elif action == "postgresql":
            subprocess.run([args.postgresql_control, "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(1, 3))
            subprocess.run([args.postgresql_control, "start"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elif action == "reindex":
            # In the background: kills and restarts go on while it reads, builds and publishes.
            if reindexing is None or not reindexing.is_alive():
                write_archive(archive, args.corpus, ledger)
                reindexing = threading.Thread(target=reindex, args=(args, archive, counts), daemon=True)
                reindexing.start()
            else:
                counts["reindex"] -= 1
        elif action == "poison":
            run = subprocess.run(
                ["psql", args.journal, "-qc",
                 "INSERT INTO kindred_journal (article_id, entry) VALUES ('poison', '{\"seq\": \"no\"}');"
                 " SELECT pg_notify('kindred', 'journal')"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            counts["poison rows" if run.returncode == 0 else "poison failed"] += 1
        counts[action] += 1
        stop.wait(rng.uniform(1, 4))
    if reindexing is not None:
        reindexing.join()


def reindex(args, archive, counts):
    """One `reindex --journal` of the archive; a failure (PostgreSQL away) is counted, not fatal."""
    run = subprocess.run(
        [args.binary, "reindex", "--corpus", archive, "--model", args.model, "--journal", args.journal,
         "--keep", "2", "--skip-invalid"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
    counts["reindex ok" if run.returncode == 0 else "reindex failed"] += 1
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"reindex failed: {last[:300]}", flush=True)


def settle(replicas, seconds=90):
    """Waits until every replica has applied the same head; the applied sequences seen."""
    deadline = time.monotonic() + seconds
    applied = []
    while time.monotonic() < deadline:
        applied = []
        for replica in replicas:
            status, text = request(replica.port, "GET", "/v1/status", timeout=5)
            if status != 200:
                break
            state = json.loads(text).get("replica", {})
            if state.get("lag_entries") != 0 or not state.get("caught_up"):
                break
            applied.append((state.get("applied_sequence"), json.loads(text)["model"]["version"]))
        if len(applied) == len(replicas) and len(set(applied)) == 1:
            return applied
        time.sleep(0.5)
    return applied


def check(replicas, ledger, label):
    failures, passed = [], 0
    with ledger.lock:
        expected, uncertain = dict(ledger.expected), set(ledger.uncertain)
    def answers_for(article_id):
        answers = []
        for replica in replicas:
            status, text = request(replica.port, "GET", path_of(article_id))
            answers.append("404" if status == 404 else text if status == 200 else f"status {status}")
        return article_id, answers

    ids = sorted(set(expected) | uncertain)
    with ThreadPoolExecutor(max_workers=6) as pool:
        read = list(pool.map(answers_for, ids))
    for article_id, answers in read:
        if len(set(answers)) != 1:
            failures.append(f"{label}: replicas differ on {article_id}: {answers}")
        elif article_id not in uncertain and answers[0] != expected[article_id]:
            failures.append(f"{label}: {article_id} is {answers[0]!r}, its last acknowledged write left {expected[article_id]!r}")
        else:
            passed += 1
    return passed, failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--work", required=True)
    parser.add_argument("--journal", required=True)
    parser.add_argument("--postgresql-control", required=True)
    parser.add_argument("--corpus", default="corpus")
    args = parser.parse_args()
    args.model = os.path.join(args.work, "models")
    subprocess.run([args.binary, "reindex", "--corpus", args.corpus, "--model", args.model, "--journal", args.journal,
                    "--keep", "2"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    replicas = [Replica([args.binary, "serve", "--model", args.model, "--journal", args.journal, "--log-level", "warning"],
                        free_port(), os.path.join(args.work, f"replica-{n}.log")) for n in range(3)]
    ledger, stop = Ledger(), threading.Event()
    counts = {key: 0 for key in ["kill", "postgresql", "reindex", "poison", "reindex ok", "reindex failed",
                                 "poison rows", "poison failed"]}
    try:
        for replica in replicas:
            if not replica.start():
                with open(replica.log) as log:
                    print(f"replica :{replica.port} did not start:\n{log.read()[-3000:]}", file=sys.stderr)
                sys.exit(1)
        writers = [Writer(n, replicas, ledger, stop, seed=n) for n in range(3)]
        for writer in writers:
            writer.start()
        started = time.monotonic()
        chaos_thread = threading.Thread(target=chaos, args=(args, replicas, ledger, stop, counts), daemon=True)
        chaos_thread.start()
        stop.wait(args.seconds)
        stop.set()
        chaos_thread.join()
        for writer in writers:
            writer.join()
        elapsed = time.monotonic() - started
        # PostgreSQL and every replica up, then let them converge.
        subprocess.run([args.postgresql_control, "start"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for replica in replicas:
            if not replica.up.is_set() and not replica.start():
                ledger.failures.append(f"replica :{replica.port} is down at the end")
        applied = settle(replicas)
        passed, failures = check(replicas, ledger, "end")
        # Once more after a last SIGKILL and restart: what a restarted replica replays.
        replicas[0].kill()
        replicas[0].start()
        settle(replicas)
        passed_again, failures_again = check(replicas, ledger, "after restart")
    finally:
        stop.set()
        for replica in replicas:
            replica.stop()

    failures = ledger.failures + failures + failures_again
    print(f"chaos:    {elapsed:.0f} s, 3 replicas, applied sequence and version at the end {applied[:1]}")
    print("writes:   " + ", ".join(f"{key} {value}" for key, value in ledger.counts.items()))
    print("chaos:    " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    print(f"checked:  {len(ledger.expected) + len(ledger.uncertain - set(ledger.expected))} ids, "
          f"{len(ledger.uncertain)} uncertain (a write without an answer: replicas must agree, either outcome)")
    for failure in failures[:20]:
        print("FAILED:   " + failure)
    if failures:
        for replica in replicas:
            with open(replica.log) as log:
                print(f"replica :{replica.port}'s log ends:\n" + "".join(log.readlines()[-15:]))
    print(f"chaos: {passed + passed_again} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
