"""Annotation speed and memory of the bundled profile, next to a naive baseline in the same run.

    python scripts/bench/bench_annotate.py --data ../shared/data/articles/allsides-10k.jsonl.gz \
        --articles 200 --baseline-articles 20 --threads 2

Optimised: the Analyzer as the worker runs it (batches of ``--batch`` articles, every sentence
of a batch encoded once and shared by sentiment, targeted sentiment and topics, the entity
pipeline batched over all sentences). Naive baseline: one article at a time through default
`transformers` pipelines with no shared work: token-classification on each sentence,
feature-extraction of each sentence for sentiment, of each mention's sentence again for its
target, and of the whole document (in 256-token windows) for topics. Prints a JSON report.

The stance step is timed apart in the baseline (``naive_stance_s``): the same stance model on
PyTorch fp32, each (actor, passage) pair of every paragraph naming the actor in its own forward
pass. ``speedup_vs_naive`` compares with the baseline without it (the figure this project has
tracked since before stance), ``speedup_vs_naive_with_stance`` with the baseline that reads the
stance too. In the optimised run, ``stance_s`` and ``stance_share`` are the Analyzer's stance step
(passages and the model's passes), and ``articles_per_s_without_stance`` the rate without it.

``--processes P`` runs the optimised part as `lens analyze --workers P` does: P processes, each
with its own models and ``--threads // P`` threads (at least one), the batches dealt out in turn;
the clock runs from the moment all have loaded and warmed up to the last one's end. Memory is
then reported per process and for all of them. The naive baseline is the same single process
as without it. Without ``--processes``, one process analyses as the service does by default:
each batch split over analysis threads sharing one copy of the models, one per core of
``--threads`` (``--analysis-threads A`` to choose; 1 is one thread, as before), each model with
``--threads // A`` threads; the naive baseline keeps ``--threads``, in a fresh process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _process(
    index: int,
    batches: list[list[str]],
    settings_kwargs: dict[str, Any],
    barrier: Any,
    results: Any,
) -> None:
    """One of --processes: load, warm up, wait for the others, analyse its batches."""
    import torch

    torch.set_num_threads(settings_kwargs["torch_threads"])
    from app.analysis.analyzer import load_analyzer
    from app.core.config import Settings

    analyzer = load_analyzer(Settings(**settings_kwargs))
    analyzer.analyze(batches[0][:2])  # warm-up
    barrier.wait()
    for batch in batches:
        analyzer.analyze(batch)
    results.put((index, _rss_mb(), _peak_mb()))


def _in_processes(
    texts: list[str], batch: int, processes: int, settings_kwargs: dict[str, Any]
) -> dict[str, Any]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    batches = [texts[i : i + batch] for i in range(0, len(texts), batch)]
    barrier, results = context.Barrier(processes + 1), context.Queue()
    started = time.perf_counter()
    children = [
        context.Process(
            target=_process,
            args=(i, batches[i::processes], settings_kwargs, barrier, results),
        )
        for i in range(processes)
    ]
    for child in children:
        child.start()
    barrier.wait()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    ended = [results.get() for _ in children]
    elapsed = time.perf_counter() - started
    for child in children:
        child.join()
    return {
        "processes": processes,
        "threads_per_process": settings_kwargs["torch_threads"],
        "model_load_s": round(load_s, 2),
        "seconds": round(elapsed, 2),
        "articles_per_s": round(len(texts) / elapsed, 3),
        "rss_mb_after_per_process": round(max(rss for _, rss, _ in ended), 1),
        "peak_rss_mb_per_process": round(max(peak for _, _, peak in ended), 1),
        "peak_rss_mb_all_processes": round(sum(peak for _, _, peak in ended), 1),
    }


def _articles(path: Path, n: int, seed: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(texts), size=n, replace=False)
    return [texts[int(i)] for i in picks]


def _naive(texts: list[str], settings: Any) -> dict[str, float]:
    from app.analysis.actors import ActorResolver
    from app.analysis.actors.stance import actor_passages
    from app.analysis.actors.stance import author_voice
    from app.analysis.actors.stance import paragraph_of
    from app.analysis.encoder import Encoder
    from app.analysis.encoder import bundled_encoder_path
    from app.analysis.entities import EntityModel
    from app.analysis.sentiment import SentimentModel
    from app.analysis.stance import StanceModel
    from app.analysis.text import split_sentences
    from app.analysis.topics import TopicModel
    from transformers import pipeline

    entity = EntityModel(batch_size=1)
    encoder = Encoder()
    sentiment = SentimentModel()
    topics = TopicModel(encoder)
    resolver = ActorResolver()
    stance = StanceModel(runtime="torch", batch_size=1)
    path = str(bundled_encoder_path())
    extract = pipeline("feature-extraction", model=path, tokenizer=path, device="cpu")
    analysed: list[tuple[str, Any, Any]] = []
    started = time.perf_counter()
    for text in texts:
        sentences = split_sentences(text)
        mentions: list[Any] = []
        for i, s in enumerate(sentences):
            found = entity.find([text], [[(s.start, s.end)]])[0]
            mentions.extend(replace(m, sentence_index=i) for m in found)
            extract(s.text, truncation=True)
        encoded = [encoder.encode([s.text])[0] for s in sentences]
        sentiment.sentence_probabilities(encoded)
        actors = resolver.resolve(text, sentences, mentions)
        for actor in actors:
            for m in actor.mentions:
                s = sentences[m.sentence_index]
                one = encoder.encode([s.text])[0]
                sentiment.targeted([(one, m.start - s.start, m.end - s.start)])
        topics.classify(encoder.embed([text[i : i + 1000] for i in range(0, len(text), 1000)]))
        analysed.append((text, sentences, actors))
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    paired = 0
    for text, sentences, actors in analysed:
        paragraphs = paragraph_of(text, sentences)
        for actor in actors:
            where = [(m.sentence_index, m.start, m.end) for m in actor.mentions]
            for passage in actor_passages(text, sentences, paragraphs, where):
                voice, spans = author_voice(text, passage.start, passage.end, passage.mentions)
                stance.probabilities([stance.pair(actor.name, voice, spans)])
                paired += 1
    stance_s = time.perf_counter() - started
    total = elapsed + stance_s
    return {"articles": len(texts), "seconds": round(elapsed, 2),
            "articles_per_s": round(len(texts) / elapsed, 3),
            "naive_stance_pairs": paired, "naive_stance_s": round(stance_s, 2),
            "articles_per_s_with_stance": round(len(texts) / total, 3)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/data/articles/allsides-10k.jsonl.gz")
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--baseline-articles", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--processes", type=int, default=1, help="analyse in P processes (as lens analyze -w P)"
    )
    parser.add_argument(
        "--baseline-in-process",
        action="store_true",
        help="run the naive baseline in this process after the optimised run (by default it "
        "runs in a fresh process: after analysis threads, in this one it ran 40 %% slower)",
    )
    parser.add_argument(
        "--baseline-apart", action="store_true", help="(the default now; kept for old commands)"
    )
    parser.add_argument(
        "--analysis-threads",
        type=int,
        help="LENS_ANALYSIS_THREADS: each batch split over A threads sharing the models "
        "(default: the service's, one per core of --threads, at most 8)",
    )
    parser.add_argument(
        "--check-one-thread",
        type=int,
        default=0,
        metavar="N",
        help="then analyse the first N articles again with one analysis thread (the same "
        "models) and count the articles whose annotations differ",
    )
    parser.add_argument(
        "--weights",
        choices=["int8", "fp32"],
        help="encoder and entity model weights (default: the service's, int8 on ONNX Runtime)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--runtime", choices=["onnx", "torch"], default="onnx", help="LENS_RUNTIME (default onnx)"
    )
    parser.add_argument(
        "--model-cache", type=Path, help="LENS_MODEL_CACHE; an empty folder times a first export"
    )
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    from app.analysis.analyzer import load_analyzer
    from app.core.config import Settings

    texts = _articles(args.data, args.articles, args.seed)
    quantize = None if args.weights is None else args.weights == "int8"
    if args.processes > 1:
        settings_kwargs = {
            "torch_threads": max(1, args.threads // args.processes),
            "quantize_encoder": quantize,
            "quantize_ner": quantize,
            "runtime": args.runtime,
            "model_cache": args.model_cache,
        }
        spread = _in_processes(texts, args.batch, args.processes, settings_kwargs)
        spread = {"articles": len(texts), "batch": args.batch, **spread}
        _with_baseline(spread, texts, args.baseline_articles, Settings(torch_threads=args.threads))
        print(json.dumps(spread, indent=2))
        return
    # --threads cores shared out as the service does: analysis threads, each model one thread
    settings = Settings(
        analysis_threads=args.analysis_threads,
        quantize_encoder=quantize,
        quantize_ner=quantize,
        runtime=args.runtime,
        model_cache=args.model_cache,
    ).threads_for(cores=args.threads)
    analysis_threads = settings.analysis_threads or 1
    torch.set_num_threads(settings.torch_threads or 1)
    rss_before = _rss_mb()
    started = time.perf_counter()
    analyzer = load_analyzer(settings)
    load_s = time.perf_counter() - started
    tokenizer = analyzer.components.entities.tokenizer  # type: ignore[attr-defined]
    tokens = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
    words = [len(t.split()) for t in texts]
    analyzer.analyze(texts[:2])  # warm-up
    # the stance step's share of the time (the model's passes and the passages around them)
    stance = analyzer.components.stance
    stance_step, stance_s = stance.toward_actors, 0.0

    def timed_stance(*a: Any, **k: Any) -> Any:
        nonlocal stance_s
        began = time.perf_counter()
        try:
            return stance_step(*a, **k)
        finally:
            stance_s += time.perf_counter() - began

    stance.toward_actors = timed_stance  # type: ignore[method-assign]
    started = time.perf_counter()
    analyses = []
    for i in range(0, len(texts), args.batch):
        analyses += analyzer.analyze(texts[i : i + args.batch])
    elapsed = time.perf_counter() - started
    stance.toward_actors = stance_step  # type: ignore[method-assign]
    report: dict[str, Any] = {
        "articles": len(texts),
        "median_words": int(np.median(words)),
        "tokens": tokens,
        "threads": args.threads,
        "batch": args.batch,
        "int8": settings.quantized(quantize),
        "runtime": args.runtime,
        "model_load_s": round(load_s, 2),
        "seconds": round(elapsed, 2),
        "articles_per_s": round(len(texts) / elapsed, 3),
        "tokens_per_s": round(tokens / elapsed, 1),
        "stance_s": round(stance_s, 2),
        "stance_share": round(stance_s / elapsed, 3),
        "articles_per_s_without_stance": round(len(texts) / (elapsed - stance_s), 3),
        "rss_mb_process_start": round(rss_before, 1),
        "rss_mb_after": round(_rss_mb(), 1),
        "peak_rss_mb": round(_peak_mb(), 1),
        "models": analyzer.models,
    }
    report["analysis_threads"] = analysis_threads
    if analysis_threads > 1:  # the stance timer sums the threads' times: not a share
        for key in ("stance_s", "stance_share", "articles_per_s_without_stance"):
            report[key] = None
    if args.check_one_thread:
        from app.analysis.analyzer import LensAnalyzer

        alone = LensAnalyzer(analyzer.components, genre=analyzer.genre, threads=1)
        n = args.check_one_thread
        again = [
            a
            for i in range(0, n, args.batch)
            for a in alone.analyze(texts[i : min(n, i + args.batch)])
        ]
        report["checked_against_one_thread"] = len(again)
        report["differing_from_one_thread"] = sum(
            a != b for a, b in zip(analyses[:n], again, strict=True)
        )
    torch.set_num_threads(args.threads)  # the naive baseline as always: one process, --threads
    _with_baseline(
        report,
        texts,
        args.baseline_articles,
        Settings(torch_threads=args.threads),
        apart=not args.baseline_in_process,
    )
    print(json.dumps(report, indent=2))


def _naive_apart(texts: list[str], threads: int) -> dict[str, float]:
    """The naive baseline in a fresh process with ``threads`` torch threads."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, float] = pool.apply(_naive_in_child, (texts, threads))
    return result


def _naive_in_child(texts: list[str], threads: int) -> dict[str, float]:
    import torch

    torch.set_num_threads(threads)
    return _naive(texts, None)


def _with_baseline(
    report: dict[str, Any], texts: list[str], n: int, settings: Any, apart: bool = False
) -> None:
    if not n:
        return
    base = _naive_apart(texts[:n], settings.torch_threads) if apart else _naive(texts[:n], settings)
    report["naive_baseline_in_fresh_process"] = apart
    report["naive_baseline"] = base
    report["speedup_vs_naive"] = round(report["articles_per_s"] / base["articles_per_s"], 2)
    report["speedup_vs_naive_with_stance"] = round(
        report["articles_per_s"] / base["articles_per_s_with_stance"], 2
    )


if __name__ == "__main__":
    main()
