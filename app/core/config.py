"""Settings from the environment (prefix ``LENS_``) and an optional ``.env`` file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="LENS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./lens.db"
    embedded_worker: bool = True
    # None: json for the long-running `lens serve` and `lens worker`, text for the other commands.
    log_format: Literal["json", "text"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    worker_batch_size: int = Field(default=8, ge=1, le=512)
    worker_lease_seconds: int = Field(default=300, ge=5)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)

    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_batch_size: int = Field(default=1000, ge=1)
    max_text_chars: int = Field(default=500_000, ge=100)
    # A page sent as `html` (UTF-8 bytes); its extracted text is then held to max_text_chars.
    max_html_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    # Query complexity: actor filters in one search, periods in one timeline (a daily one of
    # ten years fits; more is a mistake, not a chart).
    max_query_actors: int = Field(default=10, ge=1)
    max_timeline_periods: int = Field(default=4000, ge=1)

    # Reads need a key only when true; writes always do once any key exists (see app/api/auth.py).
    auth_reads: bool = False
    # Per key (per client IP without one): "600/minute", "20/second;600/minute", or a number of
    # requests per minute; 0 or empty turns it off.
    rate_limit: str = "600/minute"
    # memory:// is per process; redis://host:6379 shares the counts between processes.
    rate_limit_storage: str = "memory://"

    # A folder for a Tantivy index that ranks full-text results (sort=relevance): much faster
    # than the database's ranking over large corpora (app/core/search_index.py); None: the database
    # ranks. The worker keeps it up to date; `lens search-index sync` builds it.
    search_index: Path | None = None

    # The address clients reach the API at (https://lens.example.org): links in webhooks start
    # with it; unset, they are paths (/v1/articles/12).
    public_url: str | None = None
    # Subscriptions' webhooks (app/services/webhooks.py). Destinations in private, loopback and
    # link-local ranges are refused unless this is true (a receiver on the same network).
    webhook_allow_private: bool = False
    # The server key the webhook signing secrets are derived from (any long random string): the
    # database holds only a random salt per subscription, so a dump alone gives no secret.
    # Unset, the secrets are stored as they are (the README says what that risks).
    webhook_secret_key: SecretStr | None = None
    # Per attempt: connect, read and write each, in seconds; and the most of a response read.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_max_response_bytes: int = Field(default=64 * 1024, ge=1024)
    # Deliveries a worker claims at a time, and how many it sends at once.
    webhook_batch_size: int = Field(default=32, ge=1, le=1000)
    webhook_concurrency: int = Field(default=8, ge=1, le=64)

    model_profile: Literal["bundled", "hub"] = "bundled"
    # Languages the analysis reads (ISO 639-1, comma-separated): an article detected or given in
    # another is stored and `skipped`. The bundled models read English only; a hub profile with
    # multilingual models may list more ("en,de,fr"); the worker warns when the bundled ones
    # are asked to read another.
    analysis_languages: str = "en"
    # None lets torch decide; the worker sets it once, before the models load.
    torch_threads: int | None = Field(default=None, ge=1)
    # Split each batch over this many threads of one process that share one copy of the models.
    # Unset: one per core the process has (at most 8), each model session then with one thread
    # (`threads_for`); 1 turns it off. On two cores two threads analysed 1.5-1.6 times as many
    # articles per second as one, for +60-80 MB (docs/benchmarks.md). An article's annotations
    # do not depend on how its batch is split (tests/analysis/test_analyzer.py).
    analysis_threads: int | None = Field(default=None, ge=1, le=64)
    # The bundled models' forward passes: ONNX Runtime (exported on first load and cached in
    # model_cache, default ~/.cache/commentary-lens; falls back to PyTorch if that fails) or
    # PyTorch. Same weights and outputs; ONNX Runtime is faster on CPUs (docs/benchmarks.md).
    runtime: Literal["onnx", "torch"] = "onnx"
    # Where those passes run: the CPU (the default; no GPU package needed), a CUDA GPU
    # (ONNX Runtime's CUDAExecutionProvider, from onnxruntime-gpu, or PyTorch's CUDA device on
    # LENS_RUNTIME=torch), or auto (the GPU when one is usable). A GPU that cannot be had falls
    # back to the CPU with a warning (app/analysis/runtime.resolve_device). On a GPU the weights
    # default to fp32, batched (dynamic int8 is a CPU optimisation).
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    model_cache: Path | None = None
    # Dynamic int8 weights for the bundled encoder / entity model. Unset: int8 on ONNX Runtime
    # (it keeps the measured quality there), fp32 on PyTorch (its int8 does not): see
    # docs/quality.md and docs/benchmarks.md.
    quantize_encoder: bool | None = None
    quantize_ner: bool | None = None
    quantize_stance: bool | None = None
    # The stance model (the author's stance toward each actor) of both profiles: a folder as
    # scripts/train/train_stance.py writes it; None is the bundled one.
    stance_model: Path | None = None
    # Passages the stance model reads per actor at most (the most evaluative ones by the
    # sentence head); None reads them all. Measured in docs/benchmarks.md.
    stance_max_passages: int | None = Field(default=3, ge=1)

    @property
    def languages(self) -> frozenset[str]:
        """The primary subtags of `analysis_languages`, lower-cased."""
        return frozenset(
            part.strip().lower().split("-")[0]
            for part in self.analysis_languages.split(",")
            if part.strip()
        )

    def quantized(self, setting: bool | None) -> bool:
        """The effective value of a ``quantize_*`` setting: unset, int8 on ONNX Runtime on the
        CPU (``device`` as resolved by the analysis, `app.analysis.model_profiles.on_device`)."""
        if setting is not None:
            return setting
        return self.runtime == "onnx" and self.device == "cpu"

    def threads_for(self, processes: int = 1, cores: int | None = None) -> Settings:
        """These settings with the threads of one of ``processes`` analysis processes decided:
        the cores (``cores``, or those this process may run on) are shared out between the
        processes; a process's share goes to analysis
        threads of one model thread each, unless LENS_TORCH_THREADS or LENS_ANALYSIS_THREADS
        says otherwise (LENS_TORCH_THREADS alone keeps one analysis thread, as before it).

        On two cores (docs/benchmarks.md): one process with two analysis threads analysed
        1.5-1.6 times as many articles per second as with one; two processes each taking both
        cores for their models (the default of `lens analyze --workers 2` before the cores were
        shared out) ran slower than one process.
        """
        share = max(1, (cores or available_cores()) // max(1, processes))
        analysis = self.analysis_threads
        if analysis is None:
            analysis = 1 if self.torch_threads is not None else min(share, MAX_AUTO_THREADS)
        torch_threads = self.torch_threads or max(1, share // analysis)
        return self.model_copy(
            update={"analysis_threads": analysis, "torch_threads": torch_threads}
        )

    # Minimum score for a topic to be listed; None keeps the trained head's choice.
    topic_threshold: float | None = Field(default=None, ge=0, le=1)
    taxonomy_path: Path | None = None
    # Subtopics under the top-level topics (parent codes); the bundled file goes with the bundled
    # top-level taxonomy. Threshold as for topics.
    subtopic_threshold: float | None = Field(default=None, ge=0, le=1)
    subtopic_taxonomy_path: Path | None = None

    hub_sentiment_model: str = "cardiffnlp/twitter-roberta-base-sentiment-latest"
    hub_sentiment_revision: str = "main"
    hub_topic_model: str = "facebook/bart-large-mnli"
    hub_topic_revision: str = "main"
    hub_ner_model: str = "dslim/bert-base-NER"
    hub_ner_revision: str = "main"


# The most analysis threads chosen for a process by default (a batch has 8 articles).
MAX_AUTO_THREADS = 8


def available_cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
