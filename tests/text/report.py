"""`make text-report`: per-code precision and recall of the reader on the development corpus
and on the phrase table, with the misses and false raises listed (corpus only)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from scoring import CONDITIONS, EMERGENCY, FINDINGS, RED_FLAGS, Score, corpus, phrase_table, score


def _table(title: str, s: Score, codes: list[str]) -> None:
    print(f"\n{title}")
    print(f"  {'code':28} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    for c in codes:
        tp, fp, fn = s.tp[c], s.fp[c], s.fn[c]
        if tp + fp + fn:
            print(f"  {c:28} {tp:4} {fp:4} {fn:4} {s.precision([c]):9.2f} {s.recall([c]):7.2f}")


def _summary(name: str, s: Score) -> None:
    print(
        f"  {name}: emergency recall {s.recall(EMERGENCY):.3f}, red-flag precision {s.precision(RED_FLAGS):.3f} "
        f"(recall {s.recall(RED_FLAGS):.3f}), all-findings F1 {s.f1(FINDINGS):.3f}, conditions F1 {s.f1(CONDITIONS):.3f}"
    )


def main() -> None:
    rows = corpus()
    res = score(rows)
    emergency = sum(1 for r in rows if r.present & EMERGENCY)
    urgent = sum(1 for r in rows if (r.present & RED_FLAGS) - EMERGENCY)
    none = sum(1 for r in rows if not r.present & RED_FLAGS)
    print(
        f"development corpus: {len(rows)} texts ({emergency} with an emergency finding, "
        f"{urgent} with an urgent one, {none} with no red flag)"
    )
    codes = sorted(FINDINGS | CONDITIONS)
    _table("present (corpus)", res.present, codes)
    _table("ruled out (corpus)", res.ruled_out, sorted(RED_FLAGS))
    table = score(phrase_table(), with_ruled_out=False)
    _table("present (phrase table)", table.present, codes)
    print("\nsummary")
    _summary("corpus", res.present)
    print(f"  corpus ruled out: precision {res.ruled_out.precision(RED_FLAGS):.3f}, recall {res.ruled_out.recall(RED_FLAGS):.3f}")
    _summary("phrase table", table.present)
    verbose = "-v" in sys.argv
    if res.present.misses:
        print(f"\nmissed in the corpus ({len(res.present.misses)})")
        for where, code, text in res.present.misses if verbose else res.present.misses[:40]:
            print(f"  {where:18} {code:26} {text[:110]!r}")
    if res.present.raises:
        print(f"\nraised in the corpus but not annotated ({len(res.present.raises)})")
        for where, code, text in res.present.raises if verbose else res.present.raises[:40]:
            print(f"  {where:18} {code:26} {text[:110]!r}")


if __name__ == "__main__":
    main()
