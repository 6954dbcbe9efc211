"""`lens eval`: measure the configured models on labelled JSON Lines files.

Each task loads only the models it needs, from the profile in the settings, and runs them
through the same code the worker uses.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from app.core.config import get_settings

cli = typer.Typer(
    help="Measure model quality on labelled JSON Lines files (plain or .gz).",
    no_args_is_help=True,
)

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON Lines file.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")]
LimitOpt = Annotated[
    int | None, typer.Option(min=1, help="Score only the first N records (quick checks).")
]


def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Records of a .jsonl or .jsonl.gz file; a malformed line stops with its line number."""
    opener = gzip.open if path.suffix == ".gz" else open
    records: list[dict[str, Any]] = []
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise typer.BadParameter(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if limit is not None and len(records) >= limit:
                break
    return records


def _require(records: list[dict[str, Any]], fields: tuple[str, ...], path: Path) -> None:
    for number, record in enumerate(records, start=1):
        missing = [f for f in fields if f not in record]
        if missing:
            raise typer.BadParameter(f"{path}: record {number} lacks {', '.join(missing)}")


def _report(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    headline = "micro_f1" if "micro_f1" in result else "accuracy"
    table = Table(title=f"{result['task']}: n={result['n']}")
    for column in ("label", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, row in sorted(result["per_label"].items()):
        table.add_row(
            label, *(f"{row[k]:.4f}" for k in ("precision", "recall", "f1")), str(row["support"])
        )
    console = Console(file=sys.stdout)
    console.print(table)
    extra = f"   first_in_all: {result['first_in_all']:.4f}" if "first_in_all" in result else ""
    console.print(f"{headline}: {result[headline]:.4f}   macro_f1: {result['macro_f1']:.4f}{extra}")


@cli.command()
def ner(path: FileArg, as_json: JsonOpt = False, limit: LimitOpt = None) -> None:
    """Entity-level micro F1 (exact span and type) on `{tokens, tags}` IOB2 records.

    Example: lens eval ner ../shared/data/train/ner_conll03_dev.jsonl
    """
    from app.analysis.analyzer import load_entity_model
    from app.analysis.ner_eval import evaluate_ner

    records = read_jsonl(path, limit)
    _require(records, ("tokens", "tags"), path)
    _report(evaluate_ner(records, load_entity_model(get_settings())), as_json)


@cli.command()
def sentiment(path: FileArg, as_json: JsonOpt = False, limit: LimitOpt = None) -> None:
    """Accuracy and macro F1 of sentence sentiment on `{text, label}` records.

    Example: lens eval sentiment ../shared/data/train/sentiment_financial_phrasebank.jsonl
    """
    from app.analysis.analyzer import load_components

    records = read_jsonl(path, limit)
    _require(records, ("text", "label"), path)
    _report(load_components(get_settings()).evaluate_sentiment(records), as_json)


@cli.command("targeted-sentiment")
def targeted_sentiment(path: FileArg, as_json: JsonOpt = False, limit: LimitOpt = None) -> None:
    """Accuracy and macro F1 of sentiment toward a target span.

    Records: `{text, target, target_start, target_end, label}` (NewsMTSC format).

    Example: lens eval targeted-sentiment heldout_newsmtsc.jsonl --json
    """
    from app.analysis.analyzer import load_components

    records = read_jsonl(path, limit)
    _require(records, ("text", "target_start", "target_end", "label"), path)
    _report(load_components(get_settings()).evaluate_targeted(records), as_json)


def read_labelled_csv(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """``{text, label}`` records of a CSV file in AG News's layout: label, title, description.

    A header row (its first cell not a number) is skipped; the title is the text's first line.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    records: list[dict[str, Any]] = []
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if number == 1 and row and not row[0].strip().isdigit():
                continue
            if len(row) < 3:
                raise typer.BadParameter(f"{path}:{number}: expected label, title, description")
            title, description = row[1].strip(), row[2].replace("\\", " ").strip()
            records.append({"label": row[0].strip(), "text": f"{title}\n{description}"})
            if limit is not None and len(records) >= limit:
                break
    return records


def _label_map(path: Path, level: str) -> dict[str, list[str]]:
    """A label map file: ``{label: [codes]}``, or the AllSides map (``{"tags": ...}``)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(raw, dict) and isinstance(raw.get("tags"), dict):
        key = "subtopic" if level == "subtopics" else "topics"
        entries = {tag: entry.get(key) for tag, entry in raw["tags"].items()}
        return {
            tag: [value] if isinstance(value, str) else list(value)
            for tag, value in entries.items()
            if value
        }
    if not isinstance(raw, dict):
        raise typer.BadParameter(f"{path}: a label map is a JSON object")
    return {str(label): list(codes) for label, codes in raw.items()}


def with_article_texts(
    records: list[dict[str, Any]], articles: Path | None, path: Path
) -> list[dict[str, Any]]:
    """Records without a ``text`` take it from the articles file (``source_id`` = its ``id``)."""
    if all("text" in r for r in records):
        return records
    if articles is None:
        raise typer.BadParameter(f"{path}: records without a text need --articles")
    wanted = {str(r.get("source_id")) for r in records if "text" not in r}
    texts = {
        str(a["id"]): str(a["text"])
        for a in read_jsonl(articles)
        if str(a.get("id")) in wanted and a.get("text")
    }
    out: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        if "text" in record:
            out.append(record)
            continue
        text = texts.get(str(record.get("source_id")))
        if text is None:
            raise typer.BadParameter(
                f"{path}: record {number}: no article {record.get('source_id')!r} in {articles}"
            )
        out.append({**record, "text": text})
    return out


@cli.command()
def topics(
    path: FileArg,
    label_map: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="JSON object: data-set label -> list of taxonomy codes (or the AllSides map, "
            "app/analysis/data/allsides_to_topics.json). Without it, labels must be taxonomy "
            "codes or labels.",
        ),
    ] = None,
    level: Annotated[
        str,
        typer.Option(help="Score the top-level topics or the subtopics."),
    ] = "topics",
    articles: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Articles (JSON Lines, `id` and `text`) for records that name theirs by "
            "`source_id` instead of carrying a `text`.",
        ),
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="Only the records whose `split` is this (e.g. dev).")
    ] = None,
    as_json: JsonOpt = False,
    limit: LimitOpt = None,
) -> None:
    """Accuracy (top topic among the mapped codes) and macro F1 on `{text, label}` records,
    or on a CSV file of label, title, description rows (AG News's layout).

    Records with `primary` and `all` codes (an editor's filing, `topics_iptc_labels.jsonl`) are
    scored on the first topic: accuracy (it is the primary), first_in_all (it is among `all`)
    and macro F1 over the primaries.

    Example: lens eval topics ../shared/data/train/topic_bbc_news_all.jsonl.gz
    --label-map app/analysis/data/bbc_to_iptc.json

    Example: lens eval topics ../shared/data/train/topics_iptc_labels.jsonl --split dev
    --articles ../shared/data/articles/allsides-10k.jsonl.gz

    Example: lens eval topics ag_news_test.csv --label-map app/analysis/data/agnews_to_iptc.json
    """
    from app.analysis.analyzer import load_components

    if level not in ("topics", "subtopics"):
        raise typer.BadParameter("--level is topics or subtopics")
    csv_file = path.name.removesuffix(".gz").endswith(".csv")
    whole = split is not None  # the split's first N, not the file's
    records = (
        read_labelled_csv(path, limit) if csv_file else read_jsonl(path, None if whole else limit)
    )
    if split is not None:
        records = [r for r in records if r.get("split") == split]
    records = records[:limit] if limit is not None else records
    editor = bool(records) and all("primary" in r for r in records)
    if editor:
        if level != "topics" or label_map is not None:
            raise typer.BadParameter(f"{path}: primary/all records score the top level alone")
        _require(records, ("primary", "all"), path)
        records = with_article_texts(records, articles, path)
    else:
        _require(records, ("text", "label"), path)
    components = load_components(get_settings())
    if editor:
        _report(components.evaluate_editor_topics(records), as_json)
        return
    mapping = _label_map(label_map, level) if label_map is not None else None
    _report(components.evaluate_topics(records, mapping, level=level), as_json)


class StanceLevel(StrEnum):
    article = "article"
    passage = "passage"


class LabelSplit(StrEnum):
    dev = "dev"
    train = "train"
    all = "all"


@cli.command("actor-sentiment")
def actor_sentiment(
    path: FileArg,
    as_json: JsonOpt = False,
    limit: LimitOpt = None,
    level: Annotated[
        StanceLevel,
        typer.Option(help="Labelled-actor files: score the article label or each passage's."),
    ] = StanceLevel.article,
    split: Annotated[
        LabelSplit, typer.Option(help="Labelled-actor files: the split scored.")
    ] = LabelSplit.dev,
) -> None:
    """The author's stance toward a target: accuracy, macro F1, per label, targets found.

    Two kinds of file. Records `{text, target, label[, title]}`, one article and one target
    each (PerSenT, VAST): each article is analysed as the worker does; the target is looked up
    among its actors, and where it is not one of them the paragraphs naming it are read for it.
    Records `{text, sample, split, actors: [{name, label, passages}]}` (the in-domain labels,
    stance_actor_labels.jsonl.gz): every labelled actor of each article of --split, at the
    article --level or the --level passage, also per sample.

    Example: lens eval actor-sentiment stance_actor_labels.jsonl.gz --level passage --json
    """
    from rich.progress import Progress

    from app.analysis.analyzer import load_analyzer

    records = read_jsonl(path, limit)
    if records and "actors" in records[0]:
        _require(records, ("text", "actors"), path)
        analyzer = load_analyzer(get_settings())
        chosen = None if split is LabelSplit.all else split.value
        _actor_labels(analyzer, records, path, level.value, chosen, as_json)
        return
    from app.analysis.stance_eval import evaluate_actor_sentiment

    _require(records, ("text", "target", "label"), path)
    analyzer = load_analyzer(get_settings())
    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task("articles", total=len(records))
        try:
            result = evaluate_actor_sentiment(analyzer, records, lambda n: bar.advance(task, n))
        except ValueError as exc:
            raise typer.BadParameter(f"{path}: {exc}") from exc
    _report(result, as_json)
    if not as_json:
        found = result["found_only"]
        typer.echo(
            f"targets found among the actors: {result['targets_found']} of {result['n']} "
            f"(macro_f1 on those: {found['macro_f1']:.4f})"
        )
        if "one_label_inputs" in result:
            typer.echo(
                f"records whose text and target also carry another label: "
                f"{result['conflicting_records']} (macro_f1 on the others: "
                f"{result['one_label_inputs']['macro_f1']:.4f})"
            )


def _actor_labels(
    analyzer: Any,
    records: list[dict[str, Any]],
    path: Path,
    level: str,
    split: str | None,
    as_json: bool,
) -> None:
    from rich.progress import Progress

    from app.analysis.stance_labels_eval import evaluate_actor_labels

    total = sum(1 for r in records if split is None or r.get("split") == split)
    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task("articles", total=total)
        try:
            result = evaluate_actor_labels(
                analyzer,
                records,
                "passage" if level == "passage" else "article",
                split,
                lambda n: bar.advance(task, n),
            )
        except ValueError as exc:
            raise typer.BadParameter(f"{path}: {exc}") from exc
    _report(result, as_json)
    if not as_json:
        for sample, scores in result["by_sample"].items():
            typer.echo(f"{sample}: n={scores['n']} macro_f1 {scores['macro_f1']:.4f}")
        typer.echo(f"labelled actors the analysis did not list: {result['actors_not_found']}")


@cli.command()
def quotes(
    labels: FileArg,
    articles: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="The labelled articles with their quotations' spans (default: articles.jsonl "
            "beside the labels).",
        ),
    ] = None,
    as_json: JsonOpt = False,
    limit: LimitOpt = None,
) -> None:
    """Quotation speakers and the speaker's stance toward each target (QUOTES_GUIDELINE.md).

    Speaker accuracy for the quotations whose speaker the article names (and for pronoun and
    title cases alone), the share left without speaker where it does not, and the stance macro
    F1 on the labelled targets the rules found (and as the stance model reads every labelled
    target).

    Example: lens eval quotes data/labels/quotes/labels_pass1.jsonl
    """
    from rich.progress import Progress

    from app.analysis.analyzer import load_analyzer
    from app.analysis.quotes_eval import evaluate_quotes

    records = read_jsonl(articles or labels.parent / "articles.jsonl", limit)
    _require(records, ("article", "text", "quotes"), labels)
    marks = read_jsonl(labels)
    _require(marks, ("article", "q", "speaker", "how", "not_speech", "targets"), labels)
    analyzer = load_analyzer(get_settings())
    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task("articles", total=len(records))
        result = evaluate_quotes(
            analyzer,
            records,
            marks,
            analyzer.components.stance.model,
            lambda n: bar.advance(task, n),
        )
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(f"quotations: {result['n']}")
    for case, row in result["speaker"].items():
        typer.echo(f"speaker {case:17} {row['right']:4} / {row['n']:4} = {row['accuracy']:.4f}")
    t = result["targets"]
    typer.echo(
        f"targets found: {t['found']} of {t['labelled']} labelled (recall {t['recall']:.4f}); "
        f"{t['predicted']} predicted in the speech quotations"
    )
    typer.echo(f"stance on the targets found: macro_f1 {result['stance']['macro_f1']:.4f}")
    if "stance_model_read" in result:
        read = result["stance_model_read"]
        typer.echo(f"stance model on every labelled target: macro_f1 {read['macro_f1']:.4f}")
