"""django-cors-headers settings so that every check in the failure reference passes.

Only the CORS-related lines of a ``settings.py``; ``django_urls.py`` holds the views.
"""

from corsheaders.defaults import default_headers

# --8<-- [start:config]
INSTALLED_APPS = [
    "corsheaders",
    # ... your apps
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",  # as high as possible: above CommonMiddleware
    "django.middleware.common.CommonMiddleware",  # (its APPEND_SLASH redirects)
    # ... authentication and the rest below it
]

CORS_ALLOWED_ORIGINS = [
    "https://app.example.com",  # exactly as the browser sends it: scheme, host, no slash
    "https://admin.example.com",
]
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "DELETE"]  # a list, never "GET PUT"
CORS_ALLOW_HEADERS = [*default_headers, "x-request-id"]
CORS_EXPOSE_HEADERS = ["X-Total-Count"]
CORS_PREFLIGHT_MAX_AGE = 600
CORS_URLS_REGEX = r"^/api/.*$"
# --8<-- [end:config]
