"""The test suite: a regular package, so that no installed top-level ``tests`` package (sanic-ext
ships one) can shadow it."""
