def test_items_are_shared_with_the_spa_only(cors):
    cors.allows("/items", origin="https://app.example.com", credentials=True)
    cors.denies("/items", origin="https://evil.example.net", credentials=True)
