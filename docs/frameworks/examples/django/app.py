"""A one-file Django project: settings, one view, its URL."""

import django
from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

settings.configure(
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["testserver"],
    SECRET_KEY="example",
    INSTALLED_APPS=["corsheaders"],
    MIDDLEWARE=[
        "corsheaders.middleware.CorsMiddleware",  # as high as possible
        "django.middleware.common.CommonMiddleware",
    ],
    CORS_ALLOWED_ORIGINS=["https://app.example.com"],  # scheme://host[:port], no path
    CORS_ALLOW_CREDENTIALS=True,
    CORS_ALLOW_METHODS=["GET", "PUT"],
    CORS_ALLOW_HEADERS=["content-type"],
    CORS_EXPOSE_HEADERS=["X-Total"],
)
django.setup()


@csrf_exempt
def items(request):
    response = JsonResponse({"items": [1, 2, 3]})
    response["X-Total"] = "3"
    return response


urlpatterns = [path("items", items)]
