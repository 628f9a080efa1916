import pytest

# sanic-testing imports websockets.legacy, which warns on import (websockets 14 and later)
pytestmark = pytest.mark.filterwarnings("ignore:websockets.legacy is deprecated")


def test_the_spa_may_read_and_write_items(cors):
    cors.allows("/items", origin="https://app.example.com", credentials=True)
    cors.allows(
        "/items",
        origin="https://app.example.com",
        method="PUT",
        headers={"Content-Type": "application/json"},
        credentials=True,
    )


def test_other_sites_may_not(cors):
    cors.denies("/items", origin="https://evil.example.net", credentials=True)
    cors.denies("/items", origin="https://app.example.com.evil.net", credentials=True)
