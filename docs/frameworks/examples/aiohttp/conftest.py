import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from app import create_app


@pytest_asyncio.fixture
async def cors_target():
    async with TestClient(TestServer(create_app())) as client:
        yield client
