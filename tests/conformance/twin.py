"""The engine's two ways to reach the scenario responses: the live server and a WSGI twin.

The live path goes through the kit's own ``LiveTarget`` (``requests``), with a session whose
connection pools dial 127.0.0.1 for the scenario host names, as the browser's resolver rules do.
The WSGI twin answers in-process with exactly the status, header lines and body the socket
server writes, so the two engine runs see the same bytes the browser saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .server import HOSTS, ScenarioServer, split_line


def live_session(default_port_to: int) -> Any:
    """A ``requests.Session`` that sends the scenario host names to the loopback server, port 80
    to ``default_port_to`` (as the browser's resolver rules do)."""
    import requests
    from requests.adapters import HTTPAdapter

    class LoopbackAdapter(HTTPAdapter):
        def build_connection_pool_key_attributes(self, request, verify, cert=None):  # type: ignore[no-untyped-def]
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(
                request, verify, cert
            )
            if host_params.get("host") in HOSTS:
                port = host_params.get("port") or 80
                host_params = {
                    **host_params,
                    "host": "127.0.0.1",
                    "port": default_port_to if port == 80 else port,
                }
            return host_params, pool_kwargs

        def get_connection(self, url, proxies=None):  # type: ignore[no-untyped-def]
            # requests < 2.32 asks for its pool here
            from urllib.parse import urlsplit, urlunsplit

            parts = urlsplit(url)
            if parts.hostname in HOSTS:
                port = parts.port or default_port_to
                url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))
            return super().get_connection(url, proxies)

    session = requests.Session()
    session.trust_env = False  # no proxies from the environment
    session.mount("http://", LoopbackAdapter())
    return session


def wsgi_app(server: ScenarioServer) -> Callable[..., Iterable[bytes]]:
    """A WSGI app serving the scenario table exactly as the socket server does."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = tuple(
            (key[5:].replace("_", "-").title(), str(value))
            for key, value in environ.items()
            if key.startswith("HTTP_")
        )
        status, reason, lines, body = server.wire_response(environ["REQUEST_METHOD"], path, headers)
        start_response(f"{status} {reason}", [split_line(line) for line in lines])
        return [body]

    return app
