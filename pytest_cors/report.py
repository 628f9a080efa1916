"""The results of contract checks as a terminal summary, Markdown, JSON or SARIF.

Works on the plain records contract items leave (one dict per check, see
:mod:`pytest_cors.pytest_plugin.items`), so the same code serves a normal run and a pytest-xdist
controller. Standard library only. Every string that leaves here goes through :func:`redact`
and :func:`~pytest_cors.http.visible`: credentials in URLs, the values of secret headers and
URL parameters (the one rule of :mod:`pytest_cors.redaction`) and control characters never reach a
report or the terminal. Markdown escapes server text outside code: no HTML, image or link in
it renders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_cors import __version__
from pytest_cors.errors import CorsUsageError, hide_user_error
from pytest_cors.http import visible
from pytest_cors.redaction import redact as redact
from pytest_cors.report_html import to_html

__tracebackhide__ = hide_user_error  # kit frames stay out of a user error's traceback

Record = Mapping[str, Any]
FORMATS = {".md": "Markdown", ".json": "JSON", ".sarif": "SARIF", ".html": "HTML"}
DOCS_URL = "https://github.com/pytest-cors/pytest-cors/blob/main/docs/contract-checks.md"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _clean(value: Any) -> Any:
    """A record (or any value in it) as it may be shown: secrets redacted, controls escaped."""
    if isinstance(value, str):
        return visible(redact(value))
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def check_format(path: str | Path) -> str:
    """The report format for ``path`` (its suffix), or a usage error naming the accepted ones."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise CorsUsageError(
            f"{path}: unknown report format {suffix or '(no suffix)'!r}; use a "
            "file name ending in .md (Markdown), .json (JSON), .sarif (SARIF) or .html (HTML)"
        )
    return suffix


# -- shaping the records -----------------------------------------------------------------------


def _group(records: Iterable[Record], *keys: str) -> dict[tuple[Any, ...], list[Record]]:
    out: dict[tuple[Any, ...], list[Record]] = {}
    for record in records:
        out.setdefault(tuple(record[k] for k in keys), []).append(record)
    return out


def _cell(records: Sequence[Record]) -> str:
    statuses = {r["status"] for r in records}
    if "failed" in statuses:
        return "UNEXPECTED"
    if "error" in statuses:
        return "ERROR"
    if statuses == {"skipped"}:
        return "skipped"
    return "allowed" if any(r["expect"] == "allowed" for r in records) else "denied"


def matrix(records: Sequence[Record]) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """Paths (columns) and rows ``(origin, role, cells)`` for one policy's records."""
    paths = list(dict.fromkeys(r["path"] for r in records))
    rows = []
    for (origin,), group in _group(records, "origin").items():
        by_path = _group(group, "path")
        cells = [_cell(by_path[(p,)]) if (p,) in by_path else "-" for p in paths]
        rows.append((origin, _role(group), cells))
    return paths, rows


def _role(records: Sequence[Record]) -> str:
    if any(r["expect"] == "allowed" for r in records):
        return "allowed"
    attacks = list(dict.fromkeys(r["attack"] for r in records if r.get("attack")))
    return ", ".join(attacks) if attacks else "outside lists"


def findings_of(records: Iterable[Record]) -> list[dict[str, Any]]:
    """Every finding with the check it came from, in record order."""
    out = []
    for record in records:
        for finding in record.get("findings", ()):
            where = {
                k: record.get(k, "") for k in ("check", "contract", "file", "policy", "nodeid")
            }
            out.append({**finding, **where})
    return out


def totals(records: Sequence[Record]) -> dict[str, int]:
    counts = {"checks": len(records), "passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    return counts


def _seed_value(value: Any) -> Any:
    """A record's seed as the run had it: records hold it as text, yet a seed of digits is an
    integer (the contract's ``seed`` is one, and ``--cors-seed 7`` is read as one)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return value


def _run_seed(records: Sequence[Record], override: int | str | None) -> int | str | None:
    """The seed of the whole run: the command line's, else the one every contract used (None
    when the contracts used different seeds: each contract's entry then names its own)."""
    if override is not None:
        return override
    seeds = {_seed_value(r.get("seed")) for r in records}
    return seeds.pop() if len(seeds) == 1 else None


def _browsers(records: Iterable[Record]) -> list[str]:
    """The browser profiles the records were checked in (not the contract's default)."""
    return sorted({str(r["browser"]) for r in records if r.get("browser")})


def _meta(records: Sequence[Record]) -> list[dict[str, Any]]:
    contracts = []
    for (contract,), group in _group(records, "contract").items():
        contracts.append(
            {
                "file": contract,
                "seed": _seed_value(group[0].get("seed")),
                "target": group[0].get("target"),
                "browsers": _browsers(group),
                "totals": totals(group),
            }
        )
    return contracts


# -- terminal ------------------------------------------------------------------------------------


def terminal_summary(records: Sequence[Record]) -> list[str]:
    """Per contract and policy, a path x origin matrix; routine denied probes folded."""
    records = [_clean(r) for r in records]
    lines: list[str] = []
    for meta in _meta(records):
        t = meta["totals"]
        lines.append(
            f"{meta['file']}: {t['checks']} checks, {t['passed']} passed, {t['failed']} failed, "
            f"{t['error']} errors (seed {meta['seed']}, target {meta['target']})"
        )
        group = [r for r in records if r["contract"] == meta["file"]]
        for (policy,), policy_records in _group(group, "policy").items():
            paths, rows = matrix(policy_records)
            lines.append(f"  policy {policy}: {', '.join(paths)}")
            shown = [row for row in rows if _notable(row)]
            if shown:
                lines += _table(["origin", *paths, "role"], [[o, *c, r] for o, r, c in shown])
            folded = len(rows) - len(shown)
            if folded:
                lines.append(f"    ... and {folded} adversarial origins: all denied as expected")
        ids: dict[str, list[str]] = {}
        classes: dict[str, list[str]] = {}
        attack_of = {r.get("check", ""): r.get("attack") for r in group}
        for finding in findings_of(group):
            label = "silenced" if finding["silenced"] else finding["severity"]
            name = f"{finding['id']} ({label})"
            ids.setdefault(name, []).append(finding["check"])
            attack = attack_of.get(finding["check"])
            if attack and attack not in classes.setdefault(name, []):
                classes[name].append(attack)
        for name, checks in ids.items():
            lines.append(f"  {name}: {len(checks)} check(s), e.g. {checks[0]}")
            if name.startswith("CORS-REFLECT") and len(classes.get(name, ())) > 1:
                # one cause: the look-alike classes that got in because anything gets in
                lines.append(f"    one cause, the classes that got in: {', '.join(classes[name])}")
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """``header`` and ``rows`` as left-aligned columns two spaces apart, indented by four."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return [
        "    " + "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]


def _notable(row: tuple[str, str, list[str]]) -> bool:
    _origin, role, cells = row
    if role == "allowed" or any(c not in ("denied", "-") for c in cells):
        return True
    return "denied" in role.split(", ")


# -- files -----------------------------------------------------------------------------------------


def write_report(path: Path, records: Sequence[Record], *, seed: int | str | None = None) -> None:
    """Write ``records`` to ``path`` in the format its suffix names."""
    suffix = check_format(path)
    records = [_clean(r) for r in records]
    if suffix == ".md":
        text = to_markdown(records, seed=seed)
    elif suffix == ".json":
        text = json.dumps(to_json(records, seed=seed), indent=2, sort_keys=False) + "\n"
    elif suffix == ".html":
        run_seed = _run_seed(records, seed)
        text = to_html(records, seed=run_seed, version=_version(), docs_url=DOCS_URL)
    else:
        text = json.dumps(to_sarif(records, seed=seed), indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _version() -> str:
    return __version__


def to_json(records: Sequence[Record], *, seed: int | str | None = None) -> dict[str, Any]:
    """The machine-readable report: header, totals, contracts with their policies' matrices."""
    records = [_clean(r) for r in records]
    contracts = []
    for meta in _meta(records):
        group = [r for r in records if r["contract"] == meta["file"]]
        policies = []
        for (policy,), policy_records in _group(group, "policy").items():
            paths, rows = matrix(policy_records)
            policies.append(
                {
                    "name": policy,
                    "paths": paths,
                    "matrix": [
                        {"origin": o, "role": role, "cells": dict(zip(paths, cells, strict=True))}
                        for o, role, cells in rows
                    ],
                    "checks": [
                        {k: v for k, v in r.items() if k not in ("contract", "policy")}
                        for r in policy_records
                    ],
                }
            )
        contracts.append({**meta, "policies": policies})
    return {
        "tool": "pytest-cors",
        "version": _version(),
        "seed": _run_seed(records, seed),
        "browsers": _browsers(records),
        "totals": totals(records),
        "findings": findings_of(records),
        "contracts": contracts,
    }


_MD_ACTIVE = re.compile(r"([\\`*_\[\]|~!])")
_BACKTICKS = re.compile(r"`+")


def _md_escape(text: str) -> str:
    """``text`` (a server's bytes, maybe) as literal Markdown text, on one line: ``&`` and ``<``
    as HTML entities, so no tag, comment, entity or ``<...>`` autolink can start (a ``>`` then
    closes nothing, and is never at the start of a line to open a quote: it stays readable, as
    in ``-> allowed``); every other character that Markdown (or a GitHub table) could read as
    markup backslash-escaped, the backslash itself included (``![`` and ``[`` start no image or
    link)."""
    text = _html_text(str(text))
    return _MD_ACTIVE.sub(r"\\\1", text)


def _code(text: object, *, cell: bool = False) -> str:
    """``text`` as a Markdown code span that shows it exactly (CommonMark, GitHub tables).

    A backslash escapes nothing inside a code span, so a backtick in the value is kept by a
    fence one backtick longer than the longest run inside, with a space inside each end when the
    value starts or ends with a backtick or a space (the renderer drops one space at each end).
    In a table ``cell``, ``|`` is escaped all the same: GitHub reads a bare one as the cell's end
    even inside a code span, and removes the backslash before it reads the span.
    """
    value = " ".join(str(text).splitlines())
    if cell:
        value = value.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(value)), default=0) + 1)
    if not value or value[0] in "` " or value[-1] in "` ":
        value = f" {value} "
    return f"{fence}{value}{fence}"


def _html_text(text: str) -> str:
    """``text`` as the text of an HTML element (a ``<summary>``: Markdown is not read there)."""
    return " ".join(text.splitlines()).replace("&", "&amp;").replace("<", "&lt;")


def _fenced(body: str, info: str = "text") -> list[str]:
    """``body`` as a fenced code block that no line of it can close (CommonMark's rule: the
    closing fence is at least as long as the opening one)."""
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", body, fence]


def to_markdown(records: Sequence[Record], *, seed: int | str | None = None) -> str:
    """A report for humans and CI step summaries (GitHub renders it as is)."""
    records = [_clean(r) for r in records]
    t = totals(records)
    verdict = "holds" if t["failed"] == 0 and t["error"] == 0 else "is broken"
    out = [
        "# pytest-cors contract report",
        "",
        f"The CORS policy {verdict}: {t['checks']} checks, {t['passed']} passed, "
        f"{t['failed']} failed, {t['error']} errors, {t['skipped']} skipped.",
        "",
    ]
    for meta in _meta(records):
        used = meta["seed"]
        out += [
            f"## {_code(meta['file'])}",
            "",
            f"- target: {_code(meta['target'])}",
            f"- seed: {_code(used)} (rerun the same probes with {_code(f'--cors-seed {used}')} "
            f"in pytest, {_code(f'--seed {used}')} in `pytest-cors check`)",
            f"- browsers: {_md_escape(', '.join(meta['browsers']))}",
            "",
        ]
        group = [r for r in records if r["contract"] == meta["file"]]
        for (policy,), policy_records in _group(group, "policy").items():
            paths, rows = matrix(policy_records)
            out += [f"### Policy {_code(policy)}", ""]
            out.append("| origin | role | " + " | ".join(_code(p, cell=True) for p in paths) + " |")
            out.append("|---|---|" + "---|" * len(paths))
            for origin, role, cells in rows:
                shown = [f"**{c}**" if c in ("UNEXPECTED", "ERROR") else c for c in cells]
                row = [_code(origin, cell=True), _md_escape(role), *shown]
                out.append("| " + " | ".join(row) + " |")
            out.append("")
        found = findings_of(group)
        if found:
            out += ["### Findings", ""]
            for finding in found:
                state = (
                    f"silenced: {finding['silenced']}"
                    if finding["silenced"]
                    else finding["severity"]
                )
                where = _code(f"{meta['file']}:{finding['line']}")
                out.append(
                    f"- **{finding['id']}** ({_md_escape(state)}) at {where} - "
                    f"{_md_escape(finding['check'])}: {_md_escape(finding['message'])}"
                )
            out.append("")
        failed = [r for r in group if r["status"] in ("failed", "error")]
        for record in failed:
            body = record.get("transcript") or record.get("error") or ""
            out += [
                f"<details><summary>{_html_text(record['check'])}</summary>",
                "",
                *_fenced(body),
                "",
                "</details>",
                "",
            ]
    out.append(f"Finding ids are documented in [contract-checks]({DOCS_URL}).")
    return "\n".join(out) + "\n"


def to_sarif(records: Sequence[Record], *, seed: int | str | None = None) -> dict[str, Any]:
    """SARIF 2.1.0 for code-scanning dashboards: one result per finding, at its contract line."""
    # lazy: the plugin imports this module at start-up (report header, --cors-report check)
    from pytest_cors.contract.checks import FINDINGS

    records = [_clean(r) for r in records]
    rule_ids = list(FINDINGS)
    rules = [
        {
            "id": kind.id,
            "name": kind.id.title().replace("-", ""),
            "shortDescription": {"text": kind.title},
            "helpUri": f"{DOCS_URL}#{kind.id.lower()}",
            "defaultConfiguration": {"level": kind.severity},
        }
        for kind in FINDINGS.values()
    ]
    results = []
    for finding in findings_of(records):
        result: dict[str, Any] = {
            "ruleId": finding["id"],
            "ruleIndex": rule_ids.index(finding["id"]),
            "level": finding["severity"],
            "message": {"text": f"{finding['check']}: {finding['message']}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding["file"] or finding["contract"])},
                        "region": {
                            "startLine": finding["line"],
                            "startColumn": finding["column"],
                        },
                    }
                }
            ],
            "properties": {"policy": finding["policy"], "check": finding["check"]},
        }
        if finding["silenced"]:
            result["suppressions"] = [{"kind": "inSource", "justification": finding["silenced"]}]
        results.append(result)
    errors = [r for r in records if r["status"] == "error"]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pytest-cors",
                        "version": _version(),
                        "informationUri": DOCS_URL,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"{r['check']}: {r['error']}"}}
                            for r in errors
                        ],
                    }
                ],
                "results": results,
                "properties": {
                    "seed": _run_seed(records, seed),
                    "seeds": list(dict.fromkeys(_seed_value(r.get("seed")) for r in records)),
                    "totals": totals(records),
                },
            }
        ],
    }


def _uri(path: str) -> str:
    candidate = Path(path)
    try:
        return candidate.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return candidate.resolve().as_uri()
