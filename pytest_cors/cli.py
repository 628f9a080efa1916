"""The ``pytest-cors`` command: check a contract in CI without test code, or record one.

::

    pytest-cors check cors.yaml [--base-url URL | --app MODULE:ATTR] [--report PATH]
                                [--browser NAME] [--seed SEED] [--concurrency N] [-- PYTEST ARGS]
    pytest-cors record (--base-url URL | --app MODULE:ATTR) --origin ORIGIN... --path PATH...
                       [--method METHOD...] [--header NAME...] [--output FILE]
    pytest-cors fetch (URL | --curl COMMAND | --console MESSAGE) [--origin ORIGIN]
                      [--method METHOD] [-H 'NAME: VALUE']... [--body TEXT]
                      [--credentials MODE] [--browser NAME] [--app MODULE:ATTR] [--json]
    pytest-cors routes (--app MODULE:ATTR | --openapi FILE|URL) [--contract CONTRACT]
    pytest-cors init (--app MODULE:ATTR | --base-url URL) [--openapi FILE|URL] [--har FILE]...
                     [--origin ORIGIN]... [--header NAME]... [--browser NAME] [-o FILE]
    pytest-cors scan (URL | --app MODULE:ATTR) [--path PATH]... [--origin ORIGIN]...
                     [--only CLASS,...] [--credentials] [--browser NAME] [--report PATH] [--json]

``check`` runs the contract through pytest (its own items, summary and report), isolated from
the project's pytest configuration, conftest files and other plugins. Exit status: 0 the
policy holds; 1 a check failed; 2 no verdict (a usage or contract error, or a target that gave
no response).

``record`` probes a running app and prints the contract that describes what it grants today,
so that a team can commit it and have ``check`` warn on any drift.

``routes`` lists every route an app serves and, with ``--contract``, the policy covering each
(exit 1 when one has none).

``init`` writes a starter contract: every route of the app (or of its OpenAPI document),
grouped into policies by what the app grants, with the frontend's real calls from HAR files
folded in, and ``# SUSPICIOUS:`` comments where the app looks wrong.

``fetch`` answers one question: what would the browser do with this one ``fetch()``, and why.
It reads the request from its options, from the command DevTools' "Copy as cURL" gives, or
from the CORS message of the console, and prints the verdict, the console line, the exchange
and the fix. Exit status: 0 allowed, 1 blocked, 2 no verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_cors import __version__
from pytest_cors.defaults import DEFAULT_CONCURRENCY, EXIT_FAILED, EXIT_NO_VERDICT, EXIT_OK
from pytest_cors.errors import ContractError, CorsError, CorsUsageError, TargetError
from pytest_cors.redaction import redact_params


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-cors",
        description="Check CORS contracts against an app or a live server, or record one.",
    )
    parser.add_argument("--version", action="version", version=f"pytest-cors {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser(
        "check",
        help="run contract files through pytest (exit 0 holds, 1 a check failed, 2 no verdict)",
        description="Run contract files through pytest. Exit status: 0 the policy holds, "
        "1 a check failed, 2 no verdict (usage or contract error, target unreachable). "
        "Arguments after '--' go to pytest unchanged.",
    )
    check.add_argument("contracts", nargs="+", metavar="CONTRACT", help="contract file(s)")
    _target_options(check, required=False)
    check.add_argument(
        "--report", metavar="PATH", help="write a report: .md, .json, .sarif or .html"
    )
    check.add_argument(
        "--browser", metavar="NAME", help="browser profile: chromium, firefox, safari or spec"
    )
    check.add_argument("--seed", metavar="SEED", help="seed of the adversarial probes, or random")
    check.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help=f"live probes in flight at once (default {DEFAULT_CONCURRENCY})",
    )
    check.add_argument("-v", "--verbose", action="store_true", help="list every check")
    record = sub.add_parser(
        "record",
        help="probe a running app and print the contract describing its current CORS policy",
        description="Probe an app and print (or write) a contract describing what it grants "
        "today. Origins it refuses are listed under origins.deny.",
    )
    _target_options(record, required=True)
    record.add_argument(
        "--origin", action="append", required=True, metavar="ORIGIN", help="repeatable"
    )
    record.add_argument("--path", action="append", required=True, metavar="PATH", help="repeatable")
    record.add_argument(
        "--method",
        action="append",
        metavar="METHOD",
        help="methods to try (repeatable; default GET, POST, PUT, PATCH, DELETE)",
    )
    record.add_argument(
        "--header",
        action="append",
        metavar="NAME",
        help="request headers to try (repeatable; default Content-Type, Authorization, "
        "X-Requested-With)",
    )
    record.add_argument("--browser", metavar="NAME", default="chromium", help="browser profile")
    record.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    _fetch_options(sub)
    _scan_options(sub)
    routes = sub.add_parser(
        "routes",
        help="list every route an app serves, and which policy of a contract covers it",
        description="List every route an app serves (from the app, or from its OpenAPI "
        "document) with its methods, and with --contract the policy that covers it. Exit "
        "status: 0 listed (every route covered, with --contract), 1 a route no policy covers, "
        "2 usage error.",
    )
    source = routes.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--app", metavar="MODULE:ATTR", help="an importable app, or module:factory()"
    )
    source.add_argument(
        "--openapi", metavar="FILE|URL", help="an OpenAPI 3.x document, JSON or YAML: a file or URL"
    )
    routes.add_argument("--contract", metavar="CONTRACT", help="show which policy covers each")
    _init_options(sub)
    return parser


def _target_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--base-url", metavar="URL", help="a live server, e.g. https://staging...")
    group.add_argument(
        "--app", metavar="MODULE:ATTR", help="an importable WSGI/ASGI app, or module:factory()"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pytest-cors`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1 :]
    parser = _parser()
    try:
        options = parser.parse_args(args)
    except SystemExit as exit_:
        return EXIT_OK if exit_.code in (0, None) else EXIT_NO_VERDICT
    if options.command == "check":
        return check(options, extra)
    if options.command == "scan":
        if extra:
            return _usage("scan takes no arguments after '--'")
        return scan_command(options)
    if options.command == "fetch":
        if extra:
            return _usage("fetch takes no arguments after '--'")
        return fetch_command(options)
    if options.command == "routes":
        return routes_command(options)
    if options.command == "init":
        return init_command(options)
    return record_command(options)


def _usage(message: str) -> int:
    print(f"pytest-cors: error: {message}", file=sys.stderr)
    return EXIT_NO_VERDICT


def check(options: argparse.Namespace, extra: Sequence[str] = ()) -> int:
    """``pytest-cors check``: the contracts as pytest items, in an isolated pytest run."""
    # lazy: pytest and the contract loader cost ~175 ms of start-up, for check only
    from pytest_cors.pytest_plugin.check_command import run_check

    try:
        return run_check(
            options.contracts,
            base_url=options.base_url,
            app=options.app,
            report=options.report,
            browser=options.browser,
            seed=options.seed,
            concurrency=options.concurrency,
            verbose=options.verbose,
            pytest_args=extra,
        )
    except CorsUsageError as exc:
        return _usage(str(exc))


# -- record --------------------------------------------------------------------------------------


def _warn(message: str) -> None:
    print(f"pytest-cors: warning: {message}", file=sys.stderr)


def record_command(options: argparse.Namespace) -> int:
    """``pytest-cors record``: the contract of what the target grants, with warnings where it
    looks wrong."""
    import logging  # lazy: ~4 ms of start-up, for record and init only

    # lazy: the recorder (the runner, the contract loader) costs ~150 ms of start-up
    from pytest_cors.contract.record import DEFAULT_HEADERS, DEFAULT_METHODS, record

    if options.base_url is not None:
        # lazy: the contract package (YAML, the model) costs ~80 ms of start-up
        from pytest_cors.contract.validate_values import base_url_problem

        # a user:password@ is refused by record() itself, saying why
        problem = base_url_problem(options.base_url, "--base-url", userinfo_ok=True)
        if problem:
            return _usage(problem)
    logging.disable(logging.ERROR)  # views raised on purpose (the 'exception' fault) log it
    try:
        text = record(
            base_url=options.base_url,
            app=options.app,
            origins=options.origin,
            paths=options.path,
            methods=options.method or DEFAULT_METHODS,
            headers=options.header or DEFAULT_HEADERS,
            browser=options.browser,
            warn=_warn,
        )
    except CorsError as exc:
        return _usage(str(exc))
    finally:
        logging.disable(logging.NOTSET)
    if options.output:
        try:
            Path(options.output).parent.mkdir(parents=True, exist_ok=True)
            Path(options.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _usage(f"cannot write {options.output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


# -- routes --------------------------------------------------------------------------------------


def routes_command(options: argparse.Namespace) -> int:
    """``pytest-cors routes``: the app's routes, each with the contract policy covering it."""
    # lazy: the route readers (and the OpenAPI reader) cost ~10 ms of start-up
    from pytest_cors.routing import route_lines, route_table, routes, routes_from_openapi

    policies: list[tuple[str, tuple[str, ...]]] = []
    ignore: tuple[str, ...] = ()
    try:
        if options.contract:
            # lazy: the contract loader (YAML, the model) costs ~75 ms of start-up
            from pytest_cors.contract import load_contract

            contract = load_contract(options.contract)
            policies = [(p.name, p.paths) for p in contract.policies]
            ignore = contract.coverage.ignore if contract.coverage is not None else ()
        if options.openapi:
            found = routes_from_openapi(options.openapi)
        else:
            from pytest_cors.run import import_app  # lazy: the runner costs ~140 ms of start-up

            found = routes(import_app(options.app, options.contract or "."))
    except ContractError as exc:
        return _usage(f"invalid CORS contract:\n{exc}")
    except CorsError as exc:
        return _usage(str(exc))
    table = route_table(found, policies, ignore)
    for line in route_lines(table, policies=bool(options.contract)):
        print(line)
    uncovered = sum(not cover for _, cover in table) if options.contract else 0
    if options.contract:
        print(f"{len(table)} routes, {uncovered} without a policy")
    return EXIT_FAILED if uncovered else EXIT_OK


# -- scan ----------------------------------------------------------------------------------------


def _scan_options(sub: Any) -> None:
    scan = sub.add_parser(
        "scan",
        help="probe a server without a contract for the origins it wrongly lets in (exit 0 "
        "none, 1 findings, 2 no verdict)",
        description="Send every adversarial origin class (reflection, null, prefix, suffix, "
        "substring, unescaped dot, special characters, other port, http downgrade, "
        "subdomains, shared hosting, local origins, two allowed origins run together) through "
        "the simulated browser, with preflights, and report each origin the server lets in. "
        "The legitimate origins to mutate come from --origin, else from what the server "
        "grants. Exit status: 0 nothing found, 1 findings, 2 no verdict (a usage error, or a "
        "target that gave no response).",
    )
    scan.add_argument(
        "url",
        nargs="?",
        metavar="URL",
        help="the live server or resource, e.g. https://api.example.com/data (with --app: the "
        "URL the app sees)",
    )
    scan.add_argument(
        "--app", metavar="MODULE:ATTR", help="an importable WSGI/ASGI app, or module:factory()"
    )
    scan.add_argument("--path", action="append", metavar="PATH", help="a path to scan (repeatable)")
    scan.add_argument(
        "--origin",
        action="append",
        metavar="ORIGIN",
        help="a legitimate front-end origin to mutate (repeatable)",
    )
    scan.add_argument(
        "--only",
        action="append",
        metavar="CLASS,...",
        help="probe these classes only (reflect, null, prefix, suffix, substring, unescaped-dot, "
        "http-downgrade, other-port, subdomain, special-chars, shared-hosting, local-origin, or "
        "finding ids such as CORS-NULL; repeatable)",
    )
    scan.add_argument(
        "--credentials",
        action="store_true",
        help="report only grants a page reads with the user's cookies",
    )
    scan.add_argument("--browser", metavar="NAME", default="chromium", help="browser profile")
    scan.add_argument(
        "--report", metavar="PATH", help="write a report: .md, .json, .sarif or .html"
    )
    scan.add_argument("--json", action="store_true", help="print the findings as JSON")


def scan_command(options: argparse.Namespace) -> int:
    """``pytest-cors scan``: the contract-free scan; 0 nothing found, 1 findings, 2 no verdict."""
    from pytest_cors.http import visible  # lazy: ~4 ms of start-up; the scan imports it anyway
    from pytest_cors.scan import scan  # lazy: the scan (engine, targets, HTTP client) costs ~90 ms

    if options.url is None and options.app is None:
        return _usage("scan needs a URL, or an app with --app MODULE:ATTR")
    try:
        if options.report:
            from pytest_cors.report import check_format  # lazy: ~8 ms, with --report only

            try:
                check_format(options.report)
            except CorsUsageError as exc:
                raise CorsUsageError(f"--report {exc}") from None
        result = scan(
            options.url,
            app=options.app,
            paths=options.path or (),
            origins=options.origin or (),
            credentials=options.credentials,
            browser=options.browser,
            only=options.only or (),
        )
    except TargetError as exc:
        return _usage(f"no verdict, the target gave no response: {redact_params(str(exc))}")
    except CorsError as exc:
        return _usage(redact_params(str(exc)))
    if options.report:
        from pytest_cors.report import write_report  # lazy: ~8 ms, with --report only

        try:
            write_report(Path(options.report), result.records())
        except OSError as exc:
            return _usage(f"cannot write {options.report}: {exc.strerror or exc}")
    if options.json:
        sys.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("\n".join(visible(redact_params(line)) for line in result.lines()) + "\n")
    return EXIT_FAILED if result.findings else EXIT_OK


# -- init ----------------------------------------------------------------------------------------


def _init_options(sub: Any) -> None:
    init = sub.add_parser(
        "init",
        help="write a starter contract from the app's routes, its CORS answers and HAR files",
        description="Write a contract covering every route of the app (read from the app, or "
        "from its OpenAPI document), grouped into policies by what the app grants today, with "
        "the frontend's cross-origin calls from DevTools HAR files folded in. Behaviour that "
        "looks like a bug gets a '# SUSPICIOUS:' comment (and a warning here): the contract "
        "fails there until it is fixed. Exit status: 0 written, 2 usage error.",
    )
    _target_options(init, required=True)
    init.add_argument(
        "--openapi", metavar="FILE|URL", help="read the routes from this OpenAPI 3.x document"
    )
    init.add_argument(
        "--har",
        action="append",
        metavar="FILE",
        help="a HAR file of the frontend (DevTools: Network, 'Export HAR (with sensitive "
        "data)'); repeatable",
    )
    init.add_argument(
        "--origin",
        action="append",
        metavar="ORIGIN",
        help="an origin your frontend runs on (repeatable; the HAR files add theirs)",
    )
    init.add_argument(
        "--header",
        action="append",
        metavar="NAME",
        help="request headers to try (repeatable; default Content-Type, Authorization, "
        "X-Requested-With)",
    )
    init.add_argument("--browser", metavar="NAME", default="chromium", help="browser profile")
    init.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    init.add_argument("--force", action="store_true", help="overwrite the --output file")


def init_command(options: argparse.Namespace) -> int:
    """``pytest-cors init``: the starter contract, to a file or standard output."""
    import logging  # lazy: ~4 ms of start-up, for record and init only

    # lazy: init (the recorder, the runner, the contract loader) costs ~165 ms of start-up
    from pytest_cors.contract.init import init
    from pytest_cors.contract.record import DEFAULT_HEADERS  # lazy: init imports it anyway

    if options.base_url is not None:
        # lazy: the contract package (YAML, the model) costs ~80 ms of start-up
        from pytest_cors.contract.validate_values import base_url_problem

        problem = base_url_problem(options.base_url, "--base-url", userinfo_ok=True)
        if problem:
            return _usage(problem)
    output = Path(options.output) if options.output else None
    if output is not None and output.exists() and not options.force:
        return _usage(f"{output} exists; pass --force to overwrite it")

    # the 'exception' fault makes views raise on purpose: the framework's error log of each
    # is expected, not news
    logging.disable(logging.ERROR)
    try:
        text = init(
            app=options.app,
            base_url=options.base_url,
            openapi=options.openapi,
            har=options.har or (),
            origins=options.origin or (),
            headers=options.header or DEFAULT_HEADERS,
            browser=options.browser,
            output=output,
            warn=_warn,
        )
    except CorsError as exc:
        return _usage(str(exc))
    finally:
        logging.disable(logging.NOTSET)
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        return _usage(f"cannot write {output}: {exc.strerror or exc}")
    print(f"wrote {output}; review it, then run: pytest-cors check {output}", file=sys.stderr)
    return EXIT_OK


# -- fetch ---------------------------------------------------------------------------------------


def _fetch_options(sub: Any) -> None:
    fetch = sub.add_parser(
        "fetch",
        help="what the browser would do with one fetch(), and why (exit 0 allowed, 1 blocked, "
        "2 no verdict)",
        description="Simulate one fetch() and print the verdict, the console line, the "
        "exchange and the fix. Give the URL and options, or paste what DevTools shows: "
        "--curl takes the command 'Copy as cURL' gives, --console the red CORS message. "
        "Options given besides --curl or --console override what they say. Exit status: "
        "0 allowed, 1 blocked, 2 no verdict (a usage error, or no response).",
    )
    fetch.add_argument("url", nargs="?", metavar="URL", help="the absolute URL the page fetches")
    source = fetch.add_mutually_exclusive_group()
    source.add_argument(
        "--curl",
        metavar="COMMAND",
        help="the request as DevTools' 'Copy as cURL' (bash or cmd) gives it; - reads stdin",
    )
    source.add_argument(
        "--console",
        metavar="MESSAGE",
        help="a CORS console message of Chromium, Firefox or WebKit, to reproduce; - reads stdin",
    )
    fetch.add_argument("--origin", metavar="ORIGIN", help="the page's origin")
    fetch.add_argument("--method", "-X", metavar="METHOD", help="the request method (GET)")
    fetch.add_argument(
        "-H",
        "--header",
        action="append",
        dest="headers",
        metavar="'NAME: VALUE'",
        help="a header the script sets (repeatable)",
    )
    fetch.add_argument("--body", metavar="TEXT", help="the request body")
    fetch.add_argument(
        "--credentials",
        choices=("omit", "same-origin", "include"),
        help="fetch's credentials mode (omit)",
    )
    fetch.add_argument(
        "--browser", metavar="NAME", help="chromium (default), firefox, safari or spec"
    )
    fetch.add_argument(
        "--app",
        metavar="MODULE:ATTR",
        help="ask an importable WSGI/ASGI app instead of the server; it sees the URL's host",
    )
    fetch.add_argument("--json", action="store_true", help="print the outcome as JSON")


def fetch_command(options: argparse.Namespace) -> int:
    """``pytest-cors fetch``: one simulated ``fetch()``; 0 allowed, 1 blocked, 2 no verdict."""
    from pytest_cors import oneoff  # lazy: the simulation (engine, targets) costs ~105 ms

    try:
        request = oneoff.fetch_request(
            url=options.url,
            curl=options.curl,
            console=options.console,
            origin=options.origin,
            method=options.method,
            headers=options.headers or (),
            body=options.body,
            credentials=options.credentials,
            browser=options.browser,
        )
        outcome, framework = oneoff.simulate(request, options.app)
    except TargetError as exc:
        return _usage(f"no verdict, the target gave no response: {redact_params(str(exc))}")
    except CorsError as exc:
        return _usage(redact_params(str(exc)))
    sys.stdout.write(oneoff.render(outcome, request, framework, as_json=options.json))
    return EXIT_OK if outcome.allowed else EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
