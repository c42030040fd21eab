"""Optional RFC 3161 timestamp of the manifest's hash by a timestamping authority (TSA)."""

from __future__ import annotations

import os
import urllib.request
from dataclasses import dataclass
from typing import Any

TSA_ENV = "HEROES_RIMA_TSA_URL"


@dataclass(frozen=True)
class Stamp:
    status: str  # "skipped" (no TSA configured), "stamped" or "failed"
    tsa: str | None = None
    time: str | None = None
    error: str | None = None
    token: bytes | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "tsa": self.tsa, "time": self.time, "error": self.error}


def configured_url(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get(TSA_ENV) or None


def request(data: bytes, url: str | None, timeout: float = 20.0) -> Stamp:
    """Ask the TSA to timestamp the SHA-256 of `data`; skipped cleanly when no TSA is configured."""
    url = configured_url(url)
    if not url:
        return Stamp("skipped")
    if not url.startswith(("http://", "https://")):
        return Stamp("failed", url, error="the TSA URL must start with http:// or https://")
    try:
        from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

        req = TimestampRequestBuilder().hash_algorithm(HashAlgorithm.SHA256).data(data).nonce(nonce=True).build()
        http = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=req.as_bytes(), headers={"Content-Type": "application/timestamp-query"}
        )
        with urllib.request.urlopen(http, timeout=timeout) as resp:  # noqa: S310
            body = resp.read()
        response = decode_timestamp_response(body)
        gen_time = response.tst_info.gen_time
        return Stamp("stamped", url, gen_time.isoformat(), token=body)
    except Exception as exc:  # network, TSA refusal, malformed answer: the package stays valid without it
        return Stamp("failed", url, error=f"{type(exc).__name__}: {exc}"[:300])
