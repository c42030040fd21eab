"""Crawl throughput against a local site this benchmark serves itself (tests/osint/site.py, many
listing pages): pages per second and WARC bytes, without a politeness delay (the crawler's own cost)
and with the default one-second-per-domain delay scaled down to 0.05 s.

    PYTHONPATH=src:. python benchmarks/osint/bench_crawl.py [--pages 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.osint.site import Site, serve

from heroes.osint.crawl import CrawlConfig, Crawler
from heroes.osint.store import read_warc_ads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    print("| delay per domain | pages | seconds | pages/s | WARC KiB | ads read back |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder, serve(Site(pages=args.pages, slow=0.0)) as base:
        for delay in (0.0, 0.05):
            out = Path(folder) / f"capture-{delay}.warc.gz"
            config = CrawlConfig([base + "/list/1"], ["127.0.0.1"], max_pages=args.pages, depth=args.pages, delay=delay)
            start = time.perf_counter()
            result = Crawler(config).run(out)
            seconds = time.perf_counter() - start
            ads = len(read_warc_ads(out))
            pages = len(result.fetched)
            size = out.stat().st_size / 1024
            print(f"| {delay} s | {pages} | {seconds:.2f} | {pages / seconds:.0f} | {size:.0f} | {ads} |")


if __name__ == "__main__":
    main()
