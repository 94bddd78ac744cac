"""kg: knowledge graphs of actors and their positions in political negotiations.

>>> import kg
>>> g = kg.load()
>>> [p.label for p in g.positions(actor="Russia", kind="Demand")]
['Russia insists on the surrender of the entire Donbas']
"""

from kg.queries import KnowledgeGraph, load
from kg.remote import connect

__all__ = ["KnowledgeGraph", "connect", "load"]
__version__ = "0.1.0"
