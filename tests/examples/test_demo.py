"""The README's first command: the demo prints a verdict for every case."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_prints_what_the_browser_allows_and_blocks():
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = run.stdout.splitlines()
    verdicts = [line.split()[0] for line in lines if line.startswith(("ALLOWED", "BLOCKED"))]
    assert verdicts == [
        "ALLOWED",
        "ALLOWED",
        "BLOCKED",
        "BLOCKED",
        "BLOCKED",
        "ALLOWED",
        "BLOCKED",
        "ALLOWED",
    ]
    assert "CORSMethodNotFound" in run.stdout
    assert "CORSNotSupportingCredentials" in run.stdout
