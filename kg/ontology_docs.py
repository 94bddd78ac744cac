"""The ontology reference (``ontology/README.md``), generated from the ontology itself.

Run ``python -m kg.ontology_docs`` after changing ``ontology/kg.ttl``; a test fails while the
reference is out of date.

>>> "| `kg:Demand` | demand |" in ontology_reference()
True
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import KG, ONTOLOGY_IRI
from kg.serialize import write_outputs
from kg.vocabulary import ONTOLOGY_DIR, VOCABULARY

REFERENCE_FILE = ONTOLOGY_DIR / "README.md"


def ontology_reference(ontology: Graph = VOCABULARY.graph) -> str:
    """The ontology's reference documentation in Markdown."""
    header = ONTOLOGY_IRI

    def text(node: URIRef, predicate: URIRef) -> str:
        return " ".join(str(v) for v in sorted(ontology.objects(node, predicate), key=str)).replace("\n", " ").replace("|", "\\|")

    def curies(nodes: Iterable) -> str:
        return ", ".join(sorted(f"`{ontology.namespace_manager.normalizeUri(n)}`" for n in nodes))

    def terms(rdf_type: URIRef) -> list[URIRef]:
        return sorted(n for n in ontology.subjects(RDF.type, rdf_type) if isinstance(n, URIRef) and n.startswith(str(KG)))

    lines = [f"# {text(header, DCTERMS.title)}", "",
             "Generated from `ontology/kg.ttl` by `python -m kg.ontology_docs`; do not edit by hand.", "",
             text(header, DCTERMS.description), "",
             f"- namespace: `{KG}` (prefix `kg:`)", f"- version: {text(header, OWL.versionInfo)}",
             f"- licence: {text(header, DCTERMS.license)}", "- shapes: `ontology/shapes.ttl` (SHACL)", ""]
    lines += ["## Classes", "", "| term | label | definition | subclass of |", "|---|---|---|---|"]
    lines += [f"| `{ontology.namespace_manager.normalizeUri(c)}` | {text(c, RDFS.label)} | {text(c, SKOS.definition)} | "
              f"{curies(ontology.objects(c, RDFS.subClassOf))} |" for c in terms(OWL.Class)]
    for title, rdf_type in (("Object properties", OWL.ObjectProperty), ("Datatype properties", OWL.DatatypeProperty)):
        lines += ["", f"## {title}", "", "| term | label | definition | domain | range | aligned to |", "|---|---|---|---|---|---|"]
        lines += [f"| `{ontology.namespace_manager.normalizeUri(p)}` | {text(p, RDFS.label)} | {text(p, SKOS.definition)} | "
                  f"{curies(ontology.objects(p, RDFS.domain))} | {curies(ontology.objects(p, RDFS.range))} | "
                  f"{curies([*ontology.objects(p, RDFS.subPropertyOf), *ontology.objects(p, OWL.inverseOf)])} |"
                  for p in terms(rdf_type)]
    lines += ["", "## Querying", "", "What a query needs to know (the terms' `rdfs:comment`; examples in `docs/cookbook.md`).", "",
              text(header, RDFS.comment), ""]
    lines += [f"- `{ontology.namespace_manager.normalizeUri(t)}`: {text(t, RDFS.comment)}"
              for t in sorted(set(ontology.subjects(RDFS.comment, None)) - {header}) if isinstance(t, URIRef) and t.startswith(str(KG))]
    lines += ["", "## Concept schemes", ""]
    for scheme in terms(SKOS.ConceptScheme):
        lines += [f"### {text(scheme, RDFS.label)} (`{ontology.namespace_manager.normalizeUri(scheme)}`)", "",
                  text(scheme, SKOS.definition), "", "| concept | label | notation | definition |", "|---|---|---|---|"]
        lines += [f"| `{ontology.namespace_manager.normalizeUri(c)}` | {text(c, SKOS.prefLabel)} | {text(c, SKOS.notation)} | "
                  f"{text(c, SKOS.definition)} |" for c in sorted(ontology.subjects(SKOS.inScheme, scheme))]
        lines.append("")
    return "\n".join(lines)




def main() -> int:
    """Write ``ontology/README.md``."""
    [path] = write_outputs({REFERENCE_FILE: ontology_reference().encode("utf-8")})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
