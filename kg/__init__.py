"""kg: knowledge graphs of actors and their positions in political negotiations.

>>> import kg
>>> g = kg.load()
>>> [p.label for p in g.positions(actor="Russia", kind="Demand", article="000_0e22b9a82a6b1fdf")]
['Russia insists on the surrender of the entire Donbas']
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kg-positions")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

from kg.graph import KnowledgeGraph, load  # noqa: E402 (after __version__, which kg.corpus reads)
from kg.remote import connect

__all__ = ["KnowledgeGraph", "connect", "load"]
