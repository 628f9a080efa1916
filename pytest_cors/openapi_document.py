"""Reading an OpenAPI document: a mapping, a JSON or YAML file, or a URL serving one.

:func:`pytest_cors.routing.routes_from_openapi` reads routes from what :func:`read_document`
returns. A URL is fetched with ``requests`` once, with a timeout and a size bound; every way it
can go wrong (unreachable, an error status, HTML instead of the document, not JSON or YAML) is
a :class:`~pytest_cors.errors.CorsUsageError` that says which, never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pytest_cors.errors import CorsUsageError
from pytest_cors.origin import hide_userinfo

__all__ = ["OPENAPI_TIMEOUT", "is_url", "openapi_location", "read_document"]


def read_document(document: str | Path | Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    """The parsed ``document``, a mapping, and how errors name it (its file, or its URL without
    any ``user:password@``)."""
    data: Any = document
    where = "the OpenAPI document"
    if isinstance(document, str) and is_url(document):
        where = hide_userinfo(document)
        data = _parse(_download(document), where)
    elif isinstance(document, (str, Path)):
        path = Path(document)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CorsUsageError(f"cannot read the OpenAPI document {where!r}: {exc}") from None
        data = _parse(text, where)
    if not isinstance(data, Mapping):
        raise CorsUsageError(
            f"{where}: not an OpenAPI 3.x document: an OpenAPI document must be a mapping with "
            f"'openapi' and 'paths', this is {_kind(data)}"
        )
    return data, where


OPENAPI_TIMEOUT = 10.0
"""Seconds an OpenAPI document's server gets to connect, and then between two reads."""
_OPENAPI_LIMIT = 20_000_000


def is_url(document: object) -> bool:
    """Whether an OpenAPI ``document`` is given as an ``http(s)://`` URL."""
    return isinstance(document, str) and re.match(r"(?i)https?://", document) is not None


def openapi_location(document: str, folder: Path) -> str | Path:
    """Where a contract's ``coverage.openapi`` points: a URL as it is, a file relative to the
    contract's ``folder``."""
    return document if is_url(document) else folder / document


def _download(url: str) -> str:
    """The OpenAPI document at ``url``, as text: a clear error for anything but a 2xx."""
    import requests  # lazy: costly to import, and only a document at a URL needs it

    shown = hide_userinfo(url)
    try:
        with requests.get(
            url,
            headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.5"},
            timeout=OPENAPI_TIMEOUT,
            stream=True,
        ) as answer:
            if not answer.ok:
                raise CorsUsageError(
                    f"cannot read the OpenAPI document {shown!r}: the server answered "
                    f"{answer.status_code} {answer.reason}"
                )
            body = answer.raw.read(_OPENAPI_LIMIT + 1, decode_content=True)
            charset = answer.encoding or "utf-8"
    except requests.Timeout:
        raise CorsUsageError(
            f"cannot read the OpenAPI document {shown!r}: no answer within {OPENAPI_TIMEOUT:g} s"
        ) from None
    except requests.RequestException as exc:
        reason = _reason(exc)
        raise CorsUsageError(f"cannot read the OpenAPI document {shown!r}: {reason}") from None
    if len(body) > _OPENAPI_LIMIT:
        raise CorsUsageError(f"the OpenAPI document {shown!r} is larger than 20 MB")
    try:
        return str(body.decode(charset))
    except (UnicodeDecodeError, LookupError) as exc:
        raise CorsUsageError(f"the OpenAPI document {shown!r} is not text: {exc}") from None


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests error ("Connection refused"), not its wrapping."""
    seen: list[BaseException] = [exc]
    while True:
        inner = seen[-1].__cause__ or seen[-1].__context__
        if inner is None or inner in seen:
            break
        seen.append(inner)
    for error in reversed(seen):
        if isinstance(error, OSError) and error.strerror:
            return error.strerror
    text = str(seen[-1]) or type(seen[-1]).__name__
    return text.rsplit(": ", 1)[-1] if "Errno" in text else text


def _kind(data: object) -> str:
    if isinstance(data, str):
        return "a text (an HTML page?)" if "<" in data else "a text"
    return "nothing" if data is None else f"a {type(data).__name__}"


def _parse(text: str, where: str) -> Any:
    if text.lstrip().startswith("<"):
        raise CorsUsageError(
            f"{where}: not an OpenAPI 3.x document: this is HTML or XML (a documentation "
            "page?); give the document itself, e.g. FastAPI's /openapi.json or Litestar's "
            "/schema/openapi.json"
        )
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise CorsUsageError(f"{where}: not valid JSON: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CorsUsageError(f"{where}: not valid YAML: {exc}") from None
