# The YAML files here are loader fixtures (many deliberately malformed), not contracts to run:
# keep the plugin's contract collection away from them.
collect_ignore_glob = ["malformed/*", "valid/*"]
