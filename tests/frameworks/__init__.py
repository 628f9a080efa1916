"""Every framework of issue 5 with its own CORS middleware: the shared suite (``suite.py``)
run per framework, plus each middleware's known surprises in its ``test_<framework>.py``."""
