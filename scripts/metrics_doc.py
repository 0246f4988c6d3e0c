"""Regenerate the metric table in docs/metrics.md from the catalogue (tests check it is current).

    python scripts/metrics_doc.py          # rewrite the table
    python scripts/metrics_doc.py --check  # exit 1 when the doc is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from socialpulse.catalogue import metric_catalogue
from socialpulse.services.metrics import display_formula

DOC = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
BEGIN, END = "<!-- metrics:begin -->", "<!-- metrics:end -->"


def table() -> str:
    c = metric_catalogue()
    lines = ["| id | name | formula | unit | variants | networks |", "|---|---|---|---|---|---|"]
    for m in c.metrics.values():
        variants = ", ".join(
            f"`{v.id}`: {display_formula(m, v.id)}" for v in m.variants.values()
            if v.id != m.default_variant
        )
        nets = ", ".join(n.value for n in c.networks(m)) or "(imported data)"
        lines.append(
            f"| `{m.id}` | {m.name} | {display_formula(m, None)} | {m.unit} | "
            f"{variants or '-'} | {nets} |"
        )
    return "\n".join(lines)


def render(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in sys.argv:
        return 0 if new == text else 1
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
