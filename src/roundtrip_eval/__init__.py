"""roundtrip-eval: iterative code -> spec -> code stability benchmark for Inspect."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("roundtrip-eval")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
