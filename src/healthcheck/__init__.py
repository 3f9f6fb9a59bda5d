"""healthcheck: reproducible reporting for the Social Work Health Check."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("healthcheck")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
