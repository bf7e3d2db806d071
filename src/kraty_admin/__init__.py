"""kraty-admin: server-side Python SDK for the Kraty /server/v1 admin API."""
from kraty_admin._version import __version__

__all__ = ["__version__"]
