"""Receipt proof of work: how long the browser (proof.js in headless Chromium) and a script (Python
hashlib, the API client's way) take to solve a challenge at each difficulty, and what the server pays
to check one.

    .venv/bin/python benchmarks/reports/bench_receipt_proof.py [--bits 16 18 20 21] [--challenges 5]

The baseline is Python's hashlib (C SHA-256) on the same challenges in the same run. Each
difficulty is solved for several challenges (the work is random: about 2^bits hashes on average).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from heroes.core.settings import Settings, set_settings
from heroes.reports import proof

PROOF_JS = Path(__file__).resolve().parents[2] / "src" / "heroes" / "reports" / "static" / "proof.js"
PAGE = """<!doctype html><html><body><form method="post" action="/x">
<input name="receipt" value="12345678901234567890"><input name="proof" value="">
<p data-challenge="{token}" data-bits="{bits}" data-working="w" data-done="d" hidden></p></form></body></html>"""


def _browser_solve(page: object, token: str, bits: int) -> tuple[float, str]:
    page.set_content(PAGE.format(token=token, bits=bits))  # type: ignore[attr-defined]
    # Keep the form from leaving the page: record the proof and the time instead.
    page.evaluate(  # type: ignore[attr-defined]
        "window.__done = null; HTMLFormElement.prototype.submit = function () {"
        " window.__done = [performance.now(), this.querySelector('[name=proof]').value]; };"
        " window.__start = performance.now();"
    )
    page.add_script_tag(content=PROOF_JS.read_text())  # type: ignore[attr-defined]
    page.wait_for_function("window.__done !== null", timeout=600_000)  # type: ignore[attr-defined]
    end, value = page.evaluate("window.__done")  # type: ignore[attr-defined]
    start = page.evaluate("window.__start")  # type: ignore[attr-defined]
    return (end - start) / 1000, str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bits", type=int, nargs="+", default=[16, 18, 20, 21])
    parser.add_argument("--challenges", type=int, default=5)
    args = parser.parse_args()
    set_settings(Settings(secret_key="bench-receipt-proof"))
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        print("bits  challenges   browser (proof.js) mean / max     python hashlib mean / max   server check")
        for bits in args.bits:
            js_times, py_times, checks = [], [], []
            for _ in range(args.challenges):
                challenge = proof.issue("123456", proof.NO_CLIENT, bits)
                seconds, solved = _browser_solve(page, challenge.token, bits)
                start = time.process_time()
                checked = proof.check(solved, "123456")  # the browser's answer is right by the server's SHA-256
                checks.append(time.process_time() - start)
                assert checked.bits == bits
                js_times.append(seconds)
                start = time.process_time()
                proof.solve(challenge.token, bits)
                py_times.append(time.process_time() - start)
            print(
                f"{bits:4d}  {args.challenges:10d}   {statistics.mean(js_times):9.2f} s / {max(js_times):6.2f} s"
                f"      {statistics.mean(py_times):9.2f} s / {max(py_times):6.2f} s"
                f"   {statistics.mean(checks) * 1e6:6.0f} us"
            )
        browser.close()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
