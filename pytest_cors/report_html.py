"""The contract report as one self-contained HTML page: a matrix per policy, filters, details.

Pure: records in, one string out, standard library only. The page needs no network: its style
and script are inline (allowed by hash in its Content-Security-Policy, which forbids every
other source, so it also loads nothing and sends nothing), and it works from ``file://`` and as
a CI artifact. The records are embedded as JSON in a ``<script type="application/json">``
element with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so no text in them (a server's
header, an origin) can close that element or start markup; the script builds the page with
DOM calls and ``textContent`` only.

:func:`to_html` takes the records as :func:`pytest_cors.report.write_report` hands them:
already redacted and with control characters escaped (it is below that module, so that module
can call it).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_cors.probes import ATTACKS

Record = Mapping[str, Any]

#: Per check, the values the page reads, in this order (one list per check keeps the page small).
FIELDS = (
    "contract",
    "policy",
    "check",
    "nodeid",
    "kind",
    "path",
    "origin",
    "method",
    "label",
    "headers",
    "credentials",
    "browser",
    "expect",
    "attack",
    "source",
    "line",
    "column",
    "status",
    "observed",
    "findings",
    "error",
    "transcript",
    "verdict",
    "message",
    "fix",
    "curl",
)


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe as the text of a ``<script>`` element: no ``<`` (so no
    ``</script>`` or ``<!--``), ``>`` or ``&`` in it, each written as its ``\\u`` escape, which
    JSON reads back as the same character."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _label(record: Record) -> str:
    """What the check's name says besides method, path, origin, verdict and browser: ``with
    X-Request-Id``, ``(error response)``, ``with credentials``..."""
    name = str(record.get("check", ""))
    head = (
        f"{record.get('policy', '')}::{record.get('method', '')} {record.get('path', '')} "
        f"from {record.get('origin', '')}"
    )
    if not name.startswith(head):
        return ""
    rest, _, _ = name[len(head) :].rpartition(" -> ")
    return rest.strip()


def _row(record: Record) -> list[Any]:
    findings = [
        [f.get("id", ""), f.get("severity", ""), f.get("message", ""), f.get("silenced")]
        for f in record.get("findings", ())
    ]
    values = {**record, "label": _label(record), "findings": findings}
    return [values.get(key) for key in FIELDS]


def _totals(records: Sequence[Record]) -> dict[str, int]:
    counts = {"checks": len(records), "passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for record in records:
        status = str(record.get("status", ""))
        counts[status] = counts.get(status, 0) + 1
    return counts


def _duration(records: Sequence[Record]) -> float | None:
    """Seconds from the first check's start to the last one's end (None without timings)."""
    starts = [r["started"] for r in records if isinstance(r.get("started"), (int, float))]
    ends = [r["finished"] for r in records if isinstance(r.get("finished"), (int, float))]
    if not starts or not ends:
        return None
    return round(max(0.0, float(max(ends)) - float(min(starts))), 3)


def _contracts(records: Sequence[Record]) -> list[dict[str, Any]]:
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(str(record.get("contract", "")), []).append(record)
    return [
        {
            "file": name,
            "seed": group[0].get("seed"),
            "target": group[0].get("target"),
            "browsers": sorted({str(r["browser"]) for r in group if r.get("browser")}),
            "totals": _totals(group),
        }
        for name, group in groups.items()
    ]


def page_data(
    records: Sequence[Record], *, seed: Any = None, version: str = "", docs_url: str = ""
) -> dict[str, Any]:
    """Everything the page shows, as plain data (what the page's JSON element holds)."""
    # lazy: the report module imports this one, and must load no contract layer at start-up
    from pytest_cors.contract.checks import FINDINGS

    return {
        "tool": "pytest-cors",
        "version": version,
        "seed": seed,
        "docs": docs_url,
        "totals": _totals(records),
        "duration": _duration(records),
        "browsers": sorted({str(r["browser"]) for r in records if r.get("browser")}),
        "targets": list(dict.fromkeys(str(r["target"]) for r in records if r.get("target"))),
        "contracts": _contracts(records),
        "kinds": {k.id: k.title for k in FINDINGS.values()},
        "attacks": {name: attack.title for name, attack in ATTACKS.items()},
        "fields": list(FIELDS),
        "checks": [_row(r) for r in records],
    }


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def to_html(
    records: Sequence[Record], *, seed: Any = None, version: str = "", docs_url: str = ""
) -> str:
    """The whole page for ``records`` (redacted ones: see the module's docstring); ``seed`` is
    the run's seed, ``docs_url`` the page documenting the finding ids (``#id`` appended)."""
    data = script_json(page_data(records, seed=seed, version=version, docs_url=docs_url))
    policy = (
        "default-src 'none'; "
        f"style-src {_csp_hash(_STYLE)}; script-src {_csp_hash(_SCRIPT)}; "
        "base-uri 'none'; form-action 'none'"
    )
    return _PAGE.format(csp=policy, style=_STYLE, script=_SCRIPT, data=data)


_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>pytest-cors contract report</title>
<style>{style}</style>
</head>
<body>
<header id="run"><h1>pytest-cors contract report</h1></header>
<form id="filters" role="search" aria-label="Filter the checks">
<label>Policy <select id="f-policy"><option value="">all</option></select></label>
<label>Finding <select id="f-finding"><option value="">all</option></select></label>
<label>Outcome <select id="f-outcome">
<option value="">all</option>
<option value="unexpected">not as expected (failed or error)</option>
<option value="passed">as expected (passed)</option>
<option value="failed">failed</option>
<option value="error">error</option>
<option value="skipped">skipped</option>
<option value="allowed">observed: allowed</option>
<option value="denied">observed: blocked</option>
</select></label>
<label>Browser <select id="f-browser"><option value="">all</option></select></label>
<label>Search <input id="f-search" type="search" placeholder="origin, path, message, ..."></label>
<output id="shown" aria-live="polite"></output>
</form>
<p class="legend">Each cell is one check.
<span class="cell s-allowed">&#10003; allowed</span> allowed, as expected
<span class="cell s-denied">&#10003; blocked</span> blocked, as expected
<span class="cell s-failed">&#10007; &hellip;</span> not as expected
<span class="cell s-error">! error</span> no verdict (the target gave no response)
<span class="cell s-skipped">&ndash; skipped</span> skipped.
Click a cell for its story.</p>
<main id="matrix"></main>
<aside id="detail" hidden aria-live="polite"></aside>
<script type="application/json" id="cors-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_STYLE = """
:root { color-scheme: light; --ok: #d9f2dc; --okb: #1e7b34; --no: #e8ecf2; --nob: #51606f;
  --bad: #fbd5d5; --badb: #b3261e; --err: #fde7c4; --errb: #9a5b00; --skip: #f4f4f4; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 1rem 2rem;
  color: #1b1f24; background: #fff; }
h1 { font-size: 1.4rem; margin: .8rem 0 .3rem; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 .3rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .5rem;
  border: 1px solid #d0d7de; border-radius: 4px; margin: .2rem 0 .6rem; }
.verdict.holds { color: var(--okb); } .verdict.broken { color: var(--badb); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem;
  margin: .3rem 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
#filters { position: sticky; top: 0; z-index: 2; background: #fff; padding: .5rem 0;
  border-bottom: 1px solid #d0d7de; display: flex; flex-wrap: wrap; gap: .4rem 1rem;
  align-items: center; }
#filters input { width: 16rem; }
#filters select { max-width: 18rem; }
.legend { color: #444; }
table.matrix { border-collapse: collapse; margin: .3rem 0 1rem; }
table.matrix th, table.matrix td { border: 1px solid #d0d7de; padding: .25rem .35rem;
  vertical-align: top; text-align: left; }
table.matrix thead th { background: #f6f8fa; }
td.role { color: #555; font-size: 12px; max-width: 14rem; }
.cells { display: flex; flex-wrap: wrap; gap: 3px; }
.cell { display: inline-block; border: 1px solid; border-radius: 3px; padding: 0 .3rem;
  font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; cursor: pointer;
  color: #1b1f24; text-align: left; }
button.cell small { display: block; font-size: 10.5px; color: #444; }
.s-allowed { background: var(--ok); border-color: var(--okb); }
.s-denied { background: var(--no); border-color: var(--nob); }
.s-failed { background: var(--bad); border-color: var(--badb); font-weight: 700; }
.s-error { background: var(--err); border-color: var(--errb); font-weight: 700; }
.s-skipped { background: var(--skip); border: 1px dashed #999; color: #666; }
button.cell:focus-visible, button.cell.open { outline: 3px solid #0969da; outline-offset: 1px; }
#detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(46rem, 55vw); z-index: 3;
  overflow: auto; background: #fff; border-left: 2px solid #0969da; padding: .5rem 1rem 2rem;
  box-shadow: -4px 0 12px rgba(0,0,0,.12); }
#detail h2 { margin-top: .4rem; word-break: break-word; }
#detail .close { float: right; }
#detail .curl { user-select: all; }
#detail ul { padding-left: 1.2rem; }
.muted { color: #666; }
"""

_SCRIPT = r"""
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("cors-data").textContent);
  const checks = data.checks.map(function (row, i) {
    const c = {index: i};
    data.fields.forEach(function (key, j) { c[key] = row[j]; });
    return c;
  });

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (let i = 1; i < arguments.length; i++) {
      const child = arguments[i];
      if (child === null || child === undefined) continue;
      parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return parent;
  }
  function groupBy(items, key) {
    const out = new Map();
    items.forEach(function (item) {
      const k = key(item);
      if (!out.has(k)) out.set(k, []);
      out.get(k).push(item);
    });
    return out;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function counts(t) {
    return plural(t.checks, "check") + ", " + t.passed + " passed, " + t.failed + " failed, " +
      plural(t.error, "error") + ", " + t.skipped + " skipped";
  }
  function meta(pairs) {
    const dl = el("dl", "meta");
    pairs.forEach(function (pair) {
      if (pair[1] === null || pair[1] === undefined || pair[1] === "") return;
      add(dl, el("dt", "", pair[0]), el("dd", "", pair[1]));
    });
    return dl;
  }

  const MARK = {passed: "\u2713", failed: "\u2717", error: "!", skipped: "\u2013"};
  const OBSERVED = {allowed: "allowed", denied: "blocked"};
  function state(c) {
    if (c.status === "passed") return c.observed === "allowed" ? "allowed" : "denied";
    return c.status === "failed" || c.status === "error" ? c.status : "skipped";
  }
  function outcomeText(c) {
    const seen = OBSERVED[c.observed] || "no verdict";
    const how = {passed: "as expected", failed: "NOT as expected", error: "error: no verdict",
                 skipped: "skipped"}[c.status] || c.status;
    return "expected " + (c.expect === "denied" ? "blocked" : c.expect) + ", observed " +
      seen + ": " + how;
  }

  // -- the run's header -----------------------------------------------------------------
  const t = data.totals;
  const broken = t.failed > 0 || t.error > 0;
  const header = document.getElementById("run");
  add(header, el("p", "verdict " + (broken ? "broken" : "holds"),
    "The CORS policy " + (broken ? "is broken" : "holds") + ": " + counts(t) + "."));
  add(header, meta([
    ["Target", data.targets.join(", ")],
    ["Browsers", data.browsers.join(", ")],
    ["Seed", data.seed === null ? "per contract (below)" : String(data.seed) +
      " (rerun the same probes with --cors-seed " + data.seed +
      ", or --seed in pytest-cors check)"],
    ["Duration", data.duration === null ? "" : data.duration.toFixed(2) + " s"],
    ["Tool", data.tool + " " + data.version],
  ]));

  // -- the matrices ----------------------------------------------------------------------
  const main = document.getElementById("matrix");
  const buttons = [];
  const rows = [];
  const sections = [];
  const multiBrowser = data.browsers.length > 1;
  groupBy(checks, function (c) { return c.contract; }).forEach(function (group, file) {
    const section = add(el("section", "contract"), el("h2", "", "Contract " + file));
    const info = data.contracts.find(function (m) { return m.file === file; }) || {};
    add(section, meta([["Target", info.target], ["Seed", info.seed === undefined ? "" :
      String(info.seed)], ["Browsers", (info.browsers || []).join(", ")],
      ["Checks", info.totals ? counts(info.totals) : ""]]));
    main.appendChild(section);
    groupBy(group, function (c) { return c.policy; }).forEach(function (policyChecks, name) {
      const part = add(el("section", "policy"), el("h3", "", "Policy " + name));
      part.dataset.policy = file + "\u0000" + name;
      const paths = Array.from(new Set(policyChecks.map(function (c) { return c.path; })));
      const table = el("table", "matrix");
      const headRow = add(el("tr"), el("th", "", "origin"), el("th", "", "role"));
      paths.forEach(function (p) {
        const th = add(el("th"), el("code", "", p));
        th.scope = "col";
        headRow.appendChild(th);
      });
      add(table, add(el("thead"), headRow));
      const body = el("tbody");
      const byOrigin = groupBy(policyChecks, function (c) { return c.origin; });
      byOrigin.forEach(function (originChecks, origin) {
        const tr = el("tr");
        const th = add(el("th"), el("code", "", origin));
        th.scope = "row";
        add(tr, th, el("td", "role", role(originChecks)));
        const byPath = groupBy(originChecks, function (c) { return c.path; });
        const rowButtons = [];
        paths.forEach(function (p) {
          const td = el("td");
          const box = el("div", "cells");
          (byPath.get(p) || []).forEach(function (c) {
            const b = cellButton(c);
            box.appendChild(b);
            rowButtons.push(b);
          });
          add(tr, add(td, box));
        });
        body.appendChild(tr);
        rows.push({node: tr, buttons: rowButtons});
      });
      add(part, add(table, body));
      section.appendChild(part);
      sections.push({node: part, checks: policyChecks});
    });
  });

  function role(originChecks) {
    if (originChecks.some(function (c) { return c.expect === "allowed"; })) return "allowed";
    const attacks = Array.from(new Set(originChecks.filter(function (c) { return c.attack; })
      .map(function (c) { return data.attacks[c.attack] || c.attack; })));
    return attacks.length ? attacks.join(", ") : "outside the lists";
  }

  function cellButton(c) {
    const s = state(c);
    const b = el("button", "cell s-" + s);
    b.type = "button";
    b.dataset.index = String(c.index);
    b.dataset.state = s;
    const seen = OBSERVED[c.observed] || c.status;
    add(b, MARK[c.status] + " " + c.method + " " + (c.status === "skipped" ? "skipped" : seen));
    const extra = [c.label, multiBrowser ? c.browser : ""].filter(Boolean).join(" ");
    if (extra) b.appendChild(el("small", "", extra));
    b.title = c.check + "\n" + outcomeText(c);
    b.setAttribute("aria-label", c.check + ": " + outcomeText(c));
    buttons.push(b);
    return b;
  }

  // -- filters ---------------------------------------------------------------------------
  function fill(id, values) {
    const select = document.getElementById(id);
    values.forEach(function (v) {
      const option = el("option", "", v[1]);
      option.value = v[0];
      select.appendChild(option);
    });
    return select;
  }
  const policyKeys = [];
  sections.forEach(function (s) {
    const parts = s.node.dataset.policy.split("\u0000");
    policyKeys.push([s.node.dataset.policy,
      data.contracts.length > 1 ? parts[0] + ": " + parts[1] : parts[1]]);
  });
  const findingIds = Array.from(new Set([].concat.apply([], checks.map(function (c) {
    return c.findings.map(function (f) { return f[0]; });
  })))).sort();
  const fPolicy = fill("f-policy", policyKeys);
  const fFinding = fill("f-finding", findingIds.map(function (id) {
    return [id, id + (data.kinds[id] ? " (" + data.kinds[id] + ")" : "")];
  }));
  const fOutcome = document.getElementById("f-outcome");
  const fBrowser = fill("f-browser", data.browsers.map(function (b) { return [b, b]; }));
  const fSearch = document.getElementById("f-search");
  const shown = document.getElementById("shown");
  const haystacks = checks.map(function (c) {
    return [c.check, c.origin, c.path, c.method, c.message, c.error, c.source, c.verdict,
      c.findings.map(function (f) { return f[0] + " " + f[2]; }).join(" ")]
      .filter(Boolean).join("\n").toLowerCase();
  });

  function matches(c) {
    if (fPolicy.value && c.contract + "\u0000" + c.policy !== fPolicy.value) return false;
    if (fFinding.value && !c.findings.some(function (f) { return f[0] === fFinding.value; }))
      return false;
    const o = fOutcome.value;
    if (o === "unexpected" && c.status !== "failed" && c.status !== "error") return false;
    if ((o === "passed" || o === "failed" || o === "error" || o === "skipped") && c.status !== o)
      return false;
    if ((o === "allowed" || o === "denied") && c.observed !== o) return false;
    if (fBrowser.value && c.browser !== fBrowser.value) return false;
    const q = fSearch.value.trim().toLowerCase();
    return !q || haystacks[c.index].indexOf(q) !== -1;
  }
  function apply() {
    let visible = 0;
    buttons.forEach(function (b) {
      const on = matches(checks[Number(b.dataset.index)]);
      b.hidden = !on;
      if (on) visible++;
    });
    rows.forEach(function (r) {
      r.node.hidden = !r.buttons.some(function (b) { return !b.hidden; });
    });
    sections.forEach(function (s) {
      s.node.hidden = !s.node.querySelector("tbody tr:not([hidden])");
    });
    shown.value = visible + " of " + plural(checks.length, "check") + " shown";
  }
  [fPolicy, fFinding, fOutcome, fBrowser].forEach(function (s) {
    s.addEventListener("change", apply);
  });
  fSearch.addEventListener("input", apply);
  document.getElementById("filters").addEventListener("submit", function (e) {
    e.preventDefault();
  });

  // -- one check's story -----------------------------------------------------------------
  const detail = document.getElementById("detail");
  let opened = null;
  function block(title, text, className) {
    if (text === null || text === undefined || text === "") return null;
    const box = el("div");
    return add(box, el("h4", "", title), el("pre", className || "", text));
  }
  function docLink(id) {
    if (!data.docs) return null;
    const a = el("a", "", "documentation");
    a.href = data.docs + "#" + encodeURIComponent(String(id).toLowerCase());
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }
  function open(c, button) {
    if (opened) opened.classList.remove("open");
    opened = button;
    button.classList.add("open");
    detail.replaceChildren();
    const close = el("button", "close", "Close (Esc)");
    close.type = "button";
    close.addEventListener("click", shut);
    add(detail, close, el("h2", "", c.check));
    add(detail, el("p", "outcome s-" + state(c), MARK[c.status] + " " + outcomeText(c)));
    add(detail, meta([
      ["Contract", c.contract + ":" + c.line + ":" + c.column + " (policy " + c.policy + ")"],
      ["Entry", c.source],
      ["Request", c.method + " " + c.path + " from " + c.origin +
        (c.credentials ? ", with credentials" : "") +
        (c.headers && c.headers.length ? ", sending " + c.headers.join(", ") : "")],
      ["Browser", c.browser],
      ["Probe", c.attack ? (data.attacks[c.attack] || c.attack) : ""],
      ["Node id", c.nodeid],
    ]));
    if (c.findings.length) {
      const list = el("ul");
      c.findings.forEach(function (f) {
        const state = f[3] ? "silenced: " + f[3] : f[1];
        add(list, add(el("li"), el("strong", "", f[0]), " (" + state + ") " + f[2] + " ",
          docLink(f[0])));
      });
      add(detail, el("h4", "", "Findings"), list);
    }
    add(detail, block("Console (as DevTools shows it)", c.message),
      c.fix ? add(el("div"), el("h4", "", "Fix"), el("p", "", c.fix)) : null,
      c.transcript ? null : block("Verdict", c.verdict),
      block("Error", c.error));
    if (c.transcript) {
      add(detail, block("The whole exchange: requests, responses, each check", c.transcript));
    } else if (c.status !== "error") {
      add(detail, add(el("div"), el("h4", "", "The whole exchange"), el("p", "muted",
        "Kept for failed checks only; the curl line below sends the same request.")));
    }
    add(detail, block("Reproduce with curl", c.curl, "curl"));
    detail.hidden = false;
    close.focus();
  }
  function shut() {
    detail.hidden = true;
    if (opened) { opened.classList.remove("open"); opened.focus(); opened = null; }
  }
  main.addEventListener("click", function (e) {
    const b = e.target.closest("button.cell");
    if (b) open(checks[Number(b.dataset.index)], b);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !detail.hidden) shut();
  });

  apply();
  // when the page is built, then when its first frame is out (the benchmark reads both)
  const root = document.documentElement;
  root.dataset.rendered = String(performance.now());
  requestAnimationFrame(function () {
    setTimeout(function () { root.dataset.painted = String(performance.now()); }, 0);
  });
})();
"""
