"""The Django version of the tiny API in ``apps.py`` (ROOT_URLCONF for the target tests)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


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


urlpatterns = [
    path("items", items),
    path("login", login),
    path("echo-cookie", echo_cookie),
    path("echo-headers", echo_headers),
    path("redirect", to_items),
    path("boom", boom),
]
