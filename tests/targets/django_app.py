"""The Django version of the tiny API in ``apps.py`` (ROOT_URLCONF for the target tests), and
:func:`django_settings`, which configures Django once and overrides the CORS settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from tests.targets.apps import TEAPOT_BODY


@csrf_exempt
def items(request):
    response = JsonResponse({"items": [1, 2, 3]})
    response["X-Total"] = "3"
    return response


def login(request):
    response = HttpResponse("in")
    response.set_cookie("session", "secret")
    return response


def echo_cookie(request):
    return HttpResponse(request.META.get("HTTP_COOKIE", "<none>"))


def echo_headers(request):
    pairs = [
        [key[5:].replace("_", "-").lower(), value]
        for key, value in request.META.items()
        if key.startswith("HTTP_")
    ]
    return JsonResponse(pairs, safe=False)


def to_items(request):
    return HttpResponseRedirect("/items")


def boom(request):
    raise RuntimeError("boom")


def teapot(request):
    return HttpResponse(TEAPOT_BODY, status=418, content_type="application/octet-stream")


urlpatterns = [
    path("items", items),
    path("login", login),
    path("echo-cookie", echo_cookie),
    path("echo-headers", echo_headers),
    path("redirect", to_items),
    path("boom", boom),
    path("teapot", teapot),
]


# django-cors-headers' settings for the allowlist every framework app shares.
DJANGO_CORS: dict[str, Any] = {
    "CORS_ALLOWED_ORIGINS": ["https://app.example.com"],
    "CORS_ALLOW_CREDENTIALS": True,
    "CORS_EXPOSE_HEADERS": ["X-Total"],
    "CORS_ALLOW_METHODS": ["GET", "PUT", "POST"],
    "CORS_ALLOW_HEADERS": ["content-type", "x-token"],
}


def _configure_django() -> None:
    """Configure Django in-process once; other test modules may have done it already."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="pytest-cors-tests",
            ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
            INSTALLED_APPS=["corsheaders"],
            MIDDLEWARE=[],
            ROOT_URLCONF="tests.targets.django_app",
            DATABASES={},
            USE_TZ=True,
        )
        django.setup()


@contextmanager
def django_settings(cors: dict[str, Any] | None) -> Iterator[None]:
    """This module's URLs behind django-cors-headers configured with ``cors`` (its settings),
    or without the middleware when ``cors`` is None. Handlers read the settings when built:
    build them inside the block."""
    _configure_django()
    from django.test.utils import override_settings

    middleware = ["django.middleware.common.CommonMiddleware"]
    if cors is not None:
        middleware.insert(0, "corsheaders.middleware.CorsMiddleware")
    with override_settings(
        ROOT_URLCONF="tests.targets.django_app",
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost", "api.example.com"],
        MIDDLEWARE=middleware,
        **(cors or {}),
    ):
        yield
