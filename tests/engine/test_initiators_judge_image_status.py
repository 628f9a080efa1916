"""An image decodes whatever its status (measured in all three engines: a 404 PNG is shown)."""

import pytest

from pytest_cors.engine.initiators import judge


@pytest.mark.parametrize("status", [404, 500])
def test_an_image_body_with_an_error_status_is_used(status):
    assert judge("img", True, "cors", status, "image/png").used


@pytest.mark.parametrize("kind", ["script", "stylesheet", "font", "video"])
def test_other_elements_drop_an_error_status(kind):
    assert not judge(kind, True, "cors", 404, "image/png").used


def test_an_html_404_is_not_an_image():
    assert not judge("img", True, "cors", 404, "text/html").used
