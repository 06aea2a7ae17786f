"""Benchmark 3a: the spam classifier alone, on one core: predictions per second and retraining time.

Prediction is timed one comment at a time, as the screening task calls it (the model already in
memory: each worker process loads it once). Retraining is ``classifier.retrain``: every labelled
example read from the database, the pipeline fitted, figures measured on a held-out fifth, the
model stored as a new version. The labelled examples are the project's corpus (tests/data) and
the demo's sample, repeated with a numbered signature line until there are as many as asked.
"""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "tests" / "data" / "comments-corpus.csv", ROOT / "fixtures" / "spam-sample.csv"]
SIGNATURES = ["Nairobi", "Lyon", "Lima", "Almaty", "Manila", "Dakar", "Bogotá", "Berlin"]


def labelled(count: int) -> list[tuple[str, str]]:
    """``count`` labelled texts: the corpora's, then the same with a signature of their own each."""
    from comments import classifier

    base = [row for path in CORPORA for row in classifier.read_labelled_csv(path)]
    rows = []
    while len(rows) < count:
        n = len(rows)
        text, label = base[n % len(base)]
        rows.append((text if n < len(base) else f"{text}\n{SIGNATURES[n % len(SIGNATURES)]} {n}", label))
    return rows


def run(*, examples: int, predictions: int) -> dict:
    """Fit on ``examples`` labelled texts (stored, as ``spam_train`` does), then time ``predictions`` one by one."""
    from comments import classifier
    from comments.models import LabelledText

    rows = labelled(examples)
    LabelledText.objects.all().delete()
    LabelledText.objects.bulk_create([LabelledText(text=text, label=label) for text, label in rows], batch_size=1000)
    started = time.perf_counter()
    model = classifier.retrain(force=True)
    retrain_seconds = time.perf_counter() - started
    classifier.forget_model()
    texts = [text for text, _ in labelled(predictions)]
    classifier.spam_probability(texts[0])  # loads the model, as a worker's first task does
    started = time.perf_counter()
    for text in texts:
        classifier.judge(text, explain=False)
    per_second = len(texts) / (time.perf_counter() - started)
    return {
        "examples": examples,
        "retrain_s": round(retrain_seconds, 2),
        "model_version": model.version,
        "held_out": model.metrics,
        "predictions": len(texts),
        "predictions_per_second": round(per_second),
    }
