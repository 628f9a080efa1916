"""The views behind ``django_settings.py`` (``ROOT_URLCONF``)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def list_items(request: HttpRequest) -> HttpResponse:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return JsonResponse({"detail": "unauthorized"}, status=401)
    response = JsonResponse([{"id": 1}, {"id": 2}], safe=False)
    response["X-Total-Count"] = "2"
    return response


@csrf_exempt
def change_item(request: HttpRequest, item_id: int) -> HttpResponse:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return JsonResponse({"detail": "unauthorized"}, status=401)
    return JsonResponse({"id": item_id})


urlpatterns = [
    path("api/items", list_items),
    path("api/items/<int:item_id>", change_item),
]
