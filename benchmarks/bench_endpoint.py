"""Latency and throughput of ``kg serve``, the guarded Oxigraph SPARQL endpoint, on loopback.

Method: start ``kg serve --port 0`` (2 query workers, default limits) on the built dataset as a
subprocess. Latency: each named query (unbound) is sent ``--repeat`` times, one after another, over
the SPARQL 1.1 Protocol (POST application/sparql-query, JSON results), after one warm-up request;
the script prints the median wall time per query and its ratio to the median of the same query on
the embedded store (``kg.load()``: Oxigraph, default time limit, rows read; no HTTP).
Throughput: a second process (this script with
``--load``) sends ``--requests`` requests, cycling through the named queries, from ``--concurrency``
threads with keep-alive connections, bounded by ``--seconds``; it prints requests per second, the
median and 95th-percentile latency, and the count of non-200 answers.

Run: ``.venv/bin/python benchmarks/bench_endpoint.py [--repeat 20] [--requests 400] [--concurrency 4]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

import kg
from kg.library import named_queries

JSON_RESULTS = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}


def ask(connection: http.client.HTTPConnection, sparql: str) -> tuple[int, float]:
    """Send one query on a keep-alive connection; return (status, seconds)."""
    began = time.perf_counter()
    connection.request("POST", "/query", sparql.encode("utf-8"), JSON_RESULTS)
    response = connection.getresponse()
    response.read()
    return response.status, time.perf_counter() - began


def load(url: str, requests: int, concurrency: int, seconds: float) -> None:
    """The second process: bounded concurrent load; prints one JSON line of results."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    texts = [q.sparql for q in named_queries().values()]
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal failures
        connection = http.client.HTTPConnection(host, port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            status, took = ask(connection, texts[n % len(texts)])
            with lock:
                latencies.append(took)
                failures += status != 200
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    print(json.dumps({"requests": len(latencies), "seconds": elapsed, "failures": failures,
                      "median": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))]}))


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    banner = ""
    deadline = time.monotonic() + 120
    while "Ctrl-C stops" not in banner:
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit(f"kg serve did not start: {banner}")
        if select.select([server.stdout], [], [], 0.5)[0]:
            banner += os.read(server.stdout.fileno(), 4096).decode()
    return server, banner.split("SPARQL endpoint: ")[1].split("/query")[0]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=20)
    options.add_argument("--requests", type=int, default=400)
    options.add_argument("--concurrency", type=int, default=4)
    options.add_argument("--seconds", type=float, default=60.0)
    options.add_argument("--load", metavar="URL", help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.load:
        load(args.load, args.requests, args.concurrency, args.seconds)
        return
    server, url = start_server()
    try:
        embedded = kg.load()
        host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
        connection = http.client.HTTPConnection(host, port, timeout=60)
        print(f"kg serve at {url}; {len(named_queries())} named queries, {args.repeat} runs each (median)")
        print(f"{'query':<24}{'endpoint ms':>12}{'embedded ms':>20}{'endpoint/embedded':>18}")
        medians = []
        for name, query in named_queries().items():
            ask(connection, query.sparql)
            remote = statistics.median(ask(connection, query.sparql)[1] for _ in range(args.repeat))
            local = []
            for _ in range(max(args.repeat // 4, 3)):
                began = time.perf_counter()
                len(embedded.query(query.sparql).rows)
                local.append(time.perf_counter() - began)
            medians.append(remote)
            print(f"{name:<24}{remote * 1000:>12.1f}{statistics.median(local) * 1000:>20.1f}"
                  f"{remote / statistics.median(local):>17.1f}x")
        connection.close()
        print(f"median of the medians: {statistics.median(medians) * 1000:.1f} ms")
        done = subprocess.run([sys.executable, __file__, "--load", url, "--requests", str(args.requests),
                               "--concurrency", str(args.concurrency), "--seconds", str(args.seconds)],
                              capture_output=True, text=True, check=True, timeout=args.seconds + 60)
        result = json.loads(done.stdout)
        print(f"load from a second process: {result['requests']} requests, concurrency {args.concurrency}, "
              f"{result['requests'] / result['seconds']:.1f} requests/s, median {result['median'] * 1000:.1f} ms, "
              f"p95 {result['p95'] * 1000:.1f} ms, {result['failures']} failed")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
