"""Defaults several layers share, in a module that imports nothing: the CLI's help, the
plugin's options and the runner read them without loading one another (start-up cost).

Exit statuses of the ``pytest-cors`` commands: :data:`EXIT_OK` the policy holds (or the call
was allowed), :data:`EXIT_FAILED` a check failed (or the call was blocked),
:data:`EXIT_NO_VERDICT` no verdict (a usage or contract error, a target that gave no
response).
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_NO_VERDICT = 0, 1, 2

DEFAULT_CONCURRENCY = 32
"""Live checks in flight at once, each on a kept-alive connection of its own.

Chosen by measurement (benchmark 3: 12 250 requests, a loopback server answering in 20 ms).
Throughput is bounded by connections / latency: 16 cannot pass 800 requests/s there and
managed about 650; 24 gave about 920, 32 about 1 100, 48 about 1 600, and 64 no more than 48
(the client's CPU is then the limit). 32 is the smallest that clearly outruns CORScanner at its
default of 50 workers (about 850 there) while opening fewer connections than it: about what
five browser tabs open to one HTTP/1.1 host (6 each). Against a real deployment answering in
100 ms that is at most 320 requests/s from one CI job, a load any production server carries;
lower it with ``--cors-concurrency`` for a fragile or rate-limited one.
"""
