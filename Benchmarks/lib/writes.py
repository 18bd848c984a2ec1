"""Writing articles to a running `kindred serve` in the benchmark scripts."""
import http.client
import json
import sys


def put_articles(port, articles, prefix=""):
    """PUTs each article (a decoded corpus object) under `prefix` + its id, one at a time on one
    connection; exits with the status when the server refuses one."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for article in articles:
        article = dict(article)
        conn.request("PUT", "/v1/articles/" + prefix + article.pop("id"), body=json.dumps(article),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status not in (200, 201):
            sys.exit(f"PUT answered {response.status}")
