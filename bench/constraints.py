"""How many questions of the constraint probe set (eval/constraints/probes.jsonl, written and read by a
person before any system output) the question reader understands as that person did: publication
years, places, child ages, incident years (not filters), phrases that are not constraints, and the
question's language.

    .venv/bin/python -m bench.constraints            # totals and per kind
    .venv/bin/python -m bench.constraints --misses   # and every probe read differently, with both readings

A probe is read correctly when every expected field matches: the publication years (a range, or the
listed years), nations, regions and areas (as sets), the child-age range (within 0.01 of a year),
the incident years, and the language. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBES = ROOT / "eval" / "constraints" / "probes.jsonl"


def reading(question: str, reviews) -> dict:
    """What qa.search.understand makes of a question, in the probe set's terms."""
    from qa.search.understand import understand

    understood = understand(question, reviews)
    filters = understood.filters
    years_listed = list(getattr(filters, "years", ()) or ())
    return {
        "year_from": None if years_listed else filters.year_from,
        "year_to": None if years_listed else filters.year_to,
        "years_listed": years_listed,
        "nations": sorted(filters.nations), "regions": sorted(filters.regions), "areas": sorted(filters.areas),
        "age_min": filters.age_min, "age_max": filters.age_max,
        "incident_years": sorted(getattr(understood, "incident_years", ()) or ()),
        "language": getattr(understood, "language", "en"),
    }


def differences(expect: dict, got: dict) -> list[str]:
    wrong = []
    for name in ("year_from", "year_to"):
        if expect.get(name) != got[name]:
            wrong.append(name)
    if sorted(expect.get("years_listed") or []) != got["years_listed"]:
        wrong.append("years_listed")
    for name in ("nations", "regions", "areas"):
        if sorted(expect.get(name) or []) != got[name]:
            wrong.append(name)
    for name in ("age_min", "age_max"):
        a, b = expect.get(name), got[name]
        if (a is None) != (b is None) or (a is not None and b is not None and abs(a - b) > 0.01):
            wrong.append(name)
    if sorted(expect.get("incident_years") or []) != got["incident_years"]:
        wrong.append("incident_years")
    if expect.get("language", "en") != got["language"]:
        wrong.append("language")
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.constraints", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="print every probe read differently")
    args = parser.parse_args()
    from qa.collection import load_collection
    from qa.settings import SHIPPED_COLLECTION

    reviews = list(load_collection(SHIPPED_COLLECTION).reviews)
    probes = [json.loads(line) for line in PROBES.read_text(encoding="utf-8").splitlines() if line.strip()]
    right, total = Counter(), Counter()
    misses = []
    for probe in probes:
        got = reading(probe["question"], reviews)
        wrong = differences(probe["expect"], got)
        for kind in probe.get("kinds") or ["other"]:
            total[kind] += 1
            right[kind] += not wrong
        if wrong:
            misses.append((probe, got, wrong))
    correct = len(probes) - len(misses)
    print(f"read as the person read them: {correct} of {len(probes)} probes ({correct / len(probes):.0%})")
    for kind in sorted(total):
        print(f"  {kind:<24} {right[kind]:>3} of {total[kind]:<3}")
    if args.misses:
        for probe, got, wrong in misses:
            print(f"\n{probe['id']}: {probe['question']}\n  differs on {', '.join(wrong)}")
            print(f"  expected {json.dumps({k: probe['expect'].get(k) for k in wrong})}")
            print(f"  read     {json.dumps({k: got[k] for k in wrong})}")


if __name__ == "__main__":
    main()
