"""The pytest11 entry point. Kept cheap: it loads in every pytest run of every user."""

from __future__ import annotations
