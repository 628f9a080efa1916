"""The pytest glue, the only package that imports pytest: the plugin (the ``pytest11`` entry
point), the session state it keeps, and contracts collected as pytest items.

Importing this package imports nothing: the plugin module is loaded in every pytest run of
every user, so each module here keeps its own start-up cost (see :mod:`.plugin`).
"""
