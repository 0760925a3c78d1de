"""Names a package loads on first use (PEP 562): the one ``__getattr__`` the packages that do so share.

Example
-------
>>> __getattr__ = lazy_exports("analysis.consent", {"purpose": "purposes"}, {})
>>> __getattr__("purpose").__module__
'analysis.consent.purposes'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: a name of ``exports`` (public name → its module inside the
    package) is imported from ``package.<module>`` when first asked for and kept in ``namespace`` (the package's
    ``globals()``), so it is looked up once; any other name is an ``AttributeError``."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
