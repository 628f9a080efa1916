from app import create_app

from pytest_cors import assert_cors_allows


def test_the_spa_can_send_a_request_id():
    client = create_app().test_client()
    assert_cors_allows(
        client,
        "/items/1",
        origin="https://app.example.com",
        method="PUT",
        headers={"Content-Type": "application/json", "X-Request-Id": "42"},
        credentials="include",
    )
