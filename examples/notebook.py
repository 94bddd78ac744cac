# %% [markdown]
# # Querying the negotiation graph: a notebook-style walk-through
#
# Open in Jupyter/VS Code (cells are marked with `# %%`) or run it as a script:
# `python examples/notebook.py`. pandas is optional (`pip install -e .[pandas]`).

# %%
import kg
from kg.results import format_result

g = kg.load()  # or kg.load(engine="oxigraph") for the faster engine

# %% [markdown]
# ## Actors, by any of their names

# %%
print(g.resolve_actor("Kyiv"), g.resolve_actor("the White House"))
try:
    actors = g.actors().to_dataframe()  # needs pandas
    print(actors[["label", "kind"]].to_string(index=False))
except ImportError:
    print("\n".join(f"{a.label} ({a.kind})" for a in g.actors()))

# %% [markdown]
# ## Positions, conditions and what depends on what

# %%
for p in g.positions(actor="United States", kind="Offer"):
    print(p.label, "->", p.addressees)
print([d.label for d in g.depends_on("us-offers-security-guarantees")])
print([d.label for d in g.dependents("russia-demands-donbas")])

# %% [markdown]
# ## Your own SPARQL: parameters are bound as RDF terms, never pasted into the text

# %%
result = g.query("""
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?position ?label WHERE { ?position kg:holder ?actor ; rdfs:label ?label } ORDER BY ?label
""", actor=g.resolve_actor("Zelenskyy"))
print(format_result(result))

# %% [markdown]
# ## Evidence: the exact words and where they are

# %%
for e in g.evidence("us-demands-peace-agreement"):
    print(repr(e.quote), e.start, e.end, e.firmness, e.status, e.reporters)

# %% [markdown]
# ## Conflicts as a table

# %%
print(format_result(g.named("conflicts"), "markdown"))
