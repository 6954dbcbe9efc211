"""The in-domain stance labels as the product reads them: each labelled article analysed by the
bundled models (layout, sentences, entities, actors, sentence sentiment, genre), its actors matched
to the labelled ones, and everything the stance step would be given written to one file.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/data/stance_domain_data.py \
        --labels ../shared/data/train/stance_actor_labels.jsonl.gz \
        --out cache/stance_domain.jsonl.gz

The stance step itself is not run (a recorder stands in for it), so this costs the other steps
only. Each output line is one article: ``source_id, split, sample, outlet, text, opinion`` (the
genre head's p(opinion)), ``sentences`` ([start, end]), ``evaluative`` (1 - p(neutral) of each
sentence by the sentence head) and ``actors``: every actor the product found, in its order, with
``name, key, mentions`` ([sentence, start, end]) and, where a labelled actor of the same name
exists, its ``gold`` record (label, flags, passages with their labels).

`scripts/train/train_stance_domain.py` builds its pairs and the combiner's features from this file
with the product's own functions (`app.analysis.actors.stance`), so training reads exactly what
the service reads.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


class _NeutralPairs:
    """Stands in for the stance model where the quotation step reads it: the real model's
    pairs, answered neutral (the quotations are not recorded)."""

    def __init__(self, model: Any) -> None:
        self.pair = model.pair

    def probabilities(self, pairs: Any) -> Any:
        import numpy as np

        return np.tile(np.array([0.0, 1.0, 0.0], dtype=np.float32), (len(pairs), 1))


class _Recorder:
    """Stands in for the stance step: keeps its inputs, answers neutral."""

    def __init__(self, model: Any = None) -> None:
        self.inputs: list[Any] = []
        self.model = _NeutralPairs(model) if model is not None else None

    def toward_actors(self, docs: Any) -> list[list[Any]]:
        import numpy as np
        from app.analysis.actors.stance import actor_sentiment
        from app.analysis.encoder import FloatArray  # noqa: F401

        self.inputs.extend(docs)
        empty = np.zeros((0, 3), dtype=np.float32)
        return [[actor_sentiment(empty, []) for _ in doc.actors] for doc in docs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--labels",
        type=Path,
        default=Path("../shared/data/train/stance_actor_labels.jsonl.gz"),
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)

    from app.analysis.analyzer import load_analyzer
    from app.analysis.stance_labels_eval import ActorLookup
    from app.core.config import Settings
    from rich.progress import Progress

    with gzip.open(args.labels, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    if args.limit:
        records = records[: args.limit]
    # one analysis thread: the recorder keeps the stance step's inputs in the batch's order
    analyzer = load_analyzer(Settings(analysis_threads=1).threads_for())
    # the quotation step reads `stance.model` since issue 29
    recorder = _Recorder(analyzer.components.stance.model)
    analyzer.components.stance = recorder  # type: ignore[assignment]
    matched: Counter[str] = Counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as out, Progress() as bar:
        task = bar.add_task("articles", total=len(records))
        for b in range(0, len(records), args.batch):
            chunk = records[b : b + args.batch]
            recorder.inputs.clear()
            analyses = analyzer.analyze([r["text"] for r in chunk])
            for record, analysis, doc in zip(chunk, analyses, recorder.inputs, strict=True):
                # each labelled actor looked up as `lens eval actor-sentiment` does
                lookup = ActorLookup(analysis.actors)
                found_gold: dict[str, dict[str, Any]] = {}
                unmatched = []
                for labelled in record["actors"]:
                    found = lookup.find(labelled["name"])
                    if found is None or found.key in found_gold:
                        unmatched.append(labelled)
                    else:
                        found_gold[found.key] = labelled
                matched["matched"] += len(found_gold)
                matched["unmatched"] += len(unmatched)
                actors = []
                for found, (name, mentions) in zip(analysis.actors, doc.actors, strict=True):
                    entry: dict[str, Any] = {
                        "name": name,
                        "key": found.key,
                        "kind": found.kind,
                        "mentions": [list(m) for m in mentions],
                    }
                    if found.key in found_gold:
                        entry["gold"] = found_gold[found.key]
                    actors.append(entry)
                line = {
                    "source_id": record["source_id"],
                    "split": record["split"],
                    "sample": record["sample"],
                    "outlet": record["outlet"],
                    "text": record["text"],
                    "opinion": None if analysis.genre is None else analysis.genre.score,
                    "sentences": [[s.start, s.end] for s in doc.sentences],
                    "evaluative": [round(float(v), 5) for v in (doc.evaluative or [])],
                    "actors": actors,
                    "unmatched": unmatched,
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            bar.advance(task, len(chunk))
    print(json.dumps(dict(matched)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
