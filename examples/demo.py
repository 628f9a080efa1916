"""Ask the simulated browser what it would allow against the example app, and print it.

Run: python examples/demo.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app import app

from pytest_cors import simulate_fetch

CASES = [
    ("GET", "/items", "https://app.example.com", {}, "include"),
    ("PUT", "/items", "https://app.example.com", {"Content-Type": "application/json"}, "include"),
    ("PATCH", "/items", "https://app.example.com", {}, "include"),
    ("GET", "/items", "https://evil.example.net", {}, "include"),
    ("GET", "/items", "https://app.example.com", {"Authorization": "Bearer t"}, "include"),
    ("GET", "/fonts/roboto.woff2", "https://blog.example.org", {}, "omit"),
    ("GET", "/fonts/roboto.woff2", "https://blog.example.org", {}, "include"),
    ("GET", "/legacy", "https://evil.example.net", {}, "include"),
]


def main() -> int:
    print("What a browser (Chromium profile) would do against examples/app.py:\n")
    for method, path, origin, headers, credentials in CASES:
        outcome = simulate_fetch(
            app,
            "https://api.example.com" + path,
            origin=origin,
            method=method,
            headers=headers,
            credentials=credentials,
        )
        verdict = "ALLOWED" if outcome.allowed else "BLOCKED"
        extra = ", ".join(f"{k}" for k in headers) or "-"
        print(
            f"{verdict:8} {method:6} {path:20} from {origin:26} creds={credentials:7} "
            f"headers={extra}"
        )
        if outcome.failure:
            print(f"         {outcome.failure.code}: {outcome.failure.message}")
            print(f"         fix: {outcome.failure.hint}")
    print("\nNote /legacy: allowed for evil.example.net - it reflects any origin with credentials.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
