"""Answer the competency questions CQ1-CQ9 of the seed article with kg's Python helpers and named queries.

Run:  python examples/competency_questions.py [--engine oxigraph]
"""

from __future__ import annotations

import argparse

import kg
from kg.results import format_result


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--engine", choices=["rdflib", "oxigraph"], default="rdflib")
    g = kg.load(engine=cli.parse_args().engine)

    print("CQ1  Which actors, of what type, under which names?")
    for actor in g.actors():
        print(f"     {actor.kind:<26} {actor.label:<30} {', '.join(actor.names)}")
    print(f"     'the Kremlin' is {g.resolve_actor('the Kremlin')}")

    print("CQ2  What does the United States demand, of whom, how firmly?")
    for p in g.positions(actor="Washington", kind="Demand"):
        print(f"     {p.content} (to {', '.join(p.addressees) or 'no one named'}; {p.firmness}, {p.status})")

    print("CQ3  What does the United States offer Ukraine?")
    for row in g.named("offer-parts", holder="https://w3id.org/kg/id/actor/united-states").rows:
        duration = f" for {row['duration']} years" if "duration" in row else ""
        print(f"     {row['partLabel']}{duration}")

    print("CQ4  On what does that offer depend (one step)?")
    for d in g.depends_on("us-offers-security-guarantees", transitive=False):
        print(f"     {d.label} ({d.kind})")

    print("CQ5  What does Ukraine want, and why?")
    for row in g.named("demands-and-arguments", holder="https://w3id.org/kg/id/actor/ukraine").rows:
        why = f" because {row['argumentContent']}" if "argumentContent" in row else ""
        print(f"     {row['content']}{why}")

    print("CQ6  What does Russia demand, and what depends on it?")
    for p in g.positions(actor="Russia", kind="Demand"):
        print(f"     {p.content}; depending on it: {', '.join(d.label for d in g.dependents(p.iri))}")

    print("CQ7  Which positions conflict?")
    for c in g.conflicts():
        print(f"     {c.position_label}  <>  {c.other_label}")

    print("CQ8  Which conditions stand, transitively, between Ukraine and the US guarantees?")
    for d in g.depends_on("us-offers-security-guarantees"):
        print(f"     {'direct' if d.direct else 'via chain':<10} {d.label}")
    print(format_result(g.named("dependency-chain", node=g.resolve_node("us-offers-security-guarantees"))))

    print("CQ9  Where does a statement come from?")
    for e in g.evidence("russia-demands-donbas"):
        print(f"     \"{e.quote}\" [{e.start}:{e.end}] in {e.source}; reported by {', '.join(e.reporters)}; {e.firmness}")


if __name__ == "__main__":
    main()
