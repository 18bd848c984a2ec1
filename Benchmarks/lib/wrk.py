"""wrk's side of the HTTP benchmarks: the by-id request script they load, and what wrk reports."""
import random
import re
from urllib.parse import quote


def lua_string(text):
    """`text` as a Lua string literal on one line."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def write_by_id_script(ids, path, count=2000, seed=7, extra=None):
    """Writes a wrk script that cycles through GET /v1/articles/{id}/related?k=10 for `count` of
    `ids` drawn with `seed`, and returns the indices drawn (for scripts that build more from them).
    `extra(n, i)`, when given, returns more query parameters ("&section=…" or "") for the n-th
    request, article i."""
    random.seed(seed)
    pick = random.sample(range(len(ids)), min(count, len(ids)))
    paths = ",".join(
        lua_string("/v1/articles/" + quote(ids[i], safe="") + "/related?k=10" + (extra(n, i) if extra else ""))
        for n, i in enumerate(pick))
    with open(path, "w") as f:
        f.write("local paths = {" + paths + "}\n")
        f.write("local n = 0\nrequest = function()\n  n = n % #paths + 1\n  return wrk.format('GET', paths[n])\nend\n")
    return pick


def milliseconds(text):
    """A wrk latency ("812.00us", "5.29ms", "1.02s") in milliseconds."""
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def summary(path):
    """(requests/s, p99 in ms, requests answered) of a `wrk --latency` report."""
    text = open(path).read()
    return (float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            milliseconds(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)),
            int(re.search(r"(\d+) requests in", text).group(1)))
