"""The token-classification pipeline of `transformers`, with a faster decoding of its outputs.

`transformers.TokenClassificationPipeline.postprocess` builds a dict per word piece, converts
every piece back to a string with the tokenizer and decodes every group of words, the "O" groups
it then drops included: 7 % of the whole analysis time for the bundled tagger (cProfile, 40
AllSides articles, docs/benchmarks.md). `FastTokenClassification` gives the same entities (the
same keys and values, to the last bit of the scores; tests/analysis/test_token_pipeline.py) for
the case the product uses, the "first" aggregation with a fast, word-aware tokenizer (WordPiece's
``##`` pieces), and decodes only the groups it keeps. Any other case goes to the stock code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from transformers import TokenClassificationPipeline
from transformers.pipelines.token_classification import AggregationStrategy


class FastTokenClassification(TokenClassificationPipeline):
    """`TokenClassificationPipeline` with `postprocess` taken over for the "first" strategy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        base: Any = super()
        base.__init__(*args, **kwargs)
        tokenizer: Any = self.tokenizer
        self._tok = tokenizer
        self._id2label: dict[Any, str] = dict(getattr(self.model.config, "id2label", None) or {})
        backend = getattr(tokenizer, "_tokenizer", None)
        # The stock code's own test for a tokenizer whose pieces tell where words start.
        self._word_aware = bool(
            backend is not None and getattr(backend.model, "continuing_subword_prefix", None)
        )
        self._tokens: list[str] = (
            list(tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))))
            if self._word_aware
            else []
        )

    def postprocess(  # type: ignore[override]
        self,
        all_outputs: list[dict[str, Any]],
        aggregation_strategy: AggregationStrategy = AggregationStrategy.NONE,
        ignore_labels: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        if (
            aggregation_strategy != AggregationStrategy.FIRST
            or not self._word_aware
            or any(
                out.get("word_ids") is not None or out.get("offset_mapping") is None
                for out in all_outputs
            )
        ):
            base: Any = super()
            return list(base.postprocess(all_outputs, aggregation_strategy, ignore_labels))
        ignore = ["O"] if ignore_labels is None else ignore_labels
        sentence: str = all_outputs[0]["sentence"]
        entities: list[dict[str, Any]] = []
        for out in all_outputs:
            entities.extend(self._chunk(out, sentence, ignore))
        if len(all_outputs) > 1:
            merge: Any = self.aggregate_overlapping_entities
            entities = merge(entities)
        return entities

    def _chunk(self, out: dict[str, Any], sentence: str, ignore: list[str]) -> list[dict[str, Any]]:
        """The kept entity groups of one window, as the stock `postprocess` builds them."""
        logits_tensor = out["logits"][0]
        if logits_tensor.dtype in (torch.bfloat16, torch.float16):
            logits_tensor = logits_tensor.to(torch.float32)
        logits = logits_tensor.numpy()
        maxes = np.max(logits, axis=-1, keepdims=True)
        shifted_exp = np.exp(logits - maxes)
        scores = shifted_exp / shifted_exp.sum(axis=-1, keepdims=True)

        ids: list[int] = out["input_ids"][0].tolist()
        offsets: list[list[int]] = out["offset_mapping"][0].tolist()
        special: list[int] = out["special_tokens_mask"][0].tolist()
        unk = self._tok.unk_token_id
        # words as `aggregate_words` groups the pieces: (pieces, start, end)
        words: list[tuple[list[int], int, int]] = []
        for idx, token_id in enumerate(ids):
            if special[idx]:
                continue
            start, end = offsets[idx]
            subword = token_id != unk and len(self._tokens[token_id]) != len(sentence[start:end])
            if subword and words:
                words[-1] = (words[-1][0] + [idx], words[-1][1], end)
            else:
                words.append(([idx], start, end))
        if not words:
            return []
        firsts = scores[[pieces[0] for pieces, _, _ in words]]
        columns = firsts.argmax(axis=-1)
        labels = [self._id2label[int(c)] for c in columns]
        word_scores = [firsts[k, c] for k, c in enumerate(columns)]

        # `group_entities`: adjacent words of one tag, a new group at every B-
        groups: list[list[int]] = []
        for k, label in enumerate(labels):
            if groups:
                bi, tag = self.get_tag(label)
                _, last_tag = self.get_tag(labels[groups[-1][-1]])
                if tag == last_tag and bi != "B":
                    groups[-1].append(k)
                    continue
            groups.append([k])
        kept = []
        for group in groups:
            entity_group = labels[group[0]].split("-", 1)[-1]
            if entity_group in ignore:
                continue
            kept.append(
                {
                    "entity_group": entity_group,
                    "score": np.mean(np.nanmean([word_scores[k] for k in group])),
                    "word": self._tok.convert_tokens_to_string(
                        [self._word(words[k][0], ids, offsets, sentence) for k in group]
                    ),
                    "start": words[group[0]][1],
                    "end": words[group[-1]][2],
                }
            )
        return kept

    def _word(
        self, word: list[int], ids: list[int], offsets: list[list[int]], sentence: str
    ) -> str:
        """A word's string as `aggregate_word` makes it from its pieces."""
        pieces = []
        for idx in word:
            if ids[idx] == self._tok.unk_token_id:
                start, end = offsets[idx]
                pieces.append(sentence[start:end])
            else:
                pieces.append(self._tokens[ids[idx]])
        return str(self._tok.convert_tokens_to_string(pieces))
