from app import create_app

from pytest_cors import assert_cors_allows, assert_cors_denies


def test_the_spa_can_read_items():
    client = create_app().test_client()
    assert_cors_allows(
        client,
        "/items",
        origin="https://app.example.com",
        credentials="include",
        expose=["X-Total-Count"],
    )


# --8<-- [start:update]
def test_the_spa_can_update_an_item():
    client = create_app().test_client()
    outcome = assert_cors_allows(
        client,
        "/items/1",
        origin="https://app.example.com",
        method="PUT",
        headers={"Content-Type": "application/json"},
        credentials="include",
    )
    assert outcome.preflight is not None  # PUT with a JSON body needs a preflight


# --8<-- [end:update]


def test_other_sites_cannot_read_items():
    client = create_app().test_client()
    assert_cors_denies(client, "/items", origin="https://evil.example.net", credentials="include")
