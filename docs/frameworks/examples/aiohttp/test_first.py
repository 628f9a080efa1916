import pytest

from pytest_cors import async_simulate_fetch


def test_the_spa_may_read_items(cors):
    # a sync test: the kit runs each request on the client's own (idle) loop
    cors.allows("/items", origin="https://app.example.com", credentials=True)
    cors.denies("/items", origin="https://evil.example.net", credentials=True)


@pytest.mark.asyncio
async def test_the_spa_may_write_items(cors_target):
    outcome = await async_simulate_fetch(
        cors_target,
        "/items",
        origin="https://app.example.com",
        method="PUT",
        headers={"Content-Type": "application/json"},
        credentials="include",
    )
    assert outcome.allowed, outcome.explain()
    assert outcome.readable_headers["x-total"] == "3"
