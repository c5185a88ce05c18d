"""Train Marsad's neural Arabic NER tagger (BiLSTM-CRF) with PyTorch and export it for onnxruntime.

Data and credits
  * ANERcorp — Benajiba, Rosso & Benedí Ruiz (2007); the training part of the CAMeL Lab split
    (Obeid et al. 2020). CC BY-SA 4.0. The labels.
  * ANETAC (Hadj Ameur, Meziane & Guessoum 2019) and ArabNamer (CC BY 4.0): the gazetteer, and the ANT
    corpus (Chouigui, Ben Khiroun & Elayeb; v2.1 multi-outlet, v1.1 Jawhara FM, Apache-2.0) for its word
    clusters: ``ner-gazetteer.tsv.gz`` as ``scripts/train_ner.py`` builds it (read, not rebuilt, here).
  * Word vectors: Word2Vec skip-gram of the ANT text ONLY (``scripts/train_ner_vectors.py --ant-only``;
    SaudiNewsNet is CC BY-NC-SA and none of it ships), pruned to the training words and the most frequent
    words, stored float16.

What it does (deterministic seeds; torch on 1-2 threads; ~15-30 minutes on 2 busy cores)
  1. reads ``anercorp-train.conll``, holds out the LAST 10% of the sentences (``split_heldout``, never
     trained on, never used for a choice) and carves a dev split from TRAIN (its last 10%);
  2. trains on the rest of TRAIN, scoring dev after each epoch, and keeps the weights of the epoch with the
     best dev F1 (early stopping; ``--final-epochs N`` instead trains on all of TRAIN for N epochs, no dev);
  3. exports the network to ONNX
     (``ner-net.onnx``) with its CRF transitions and vocabularies (``ner-net.json``), the word list and
     float16 vectors (``ner-net-words.txt.gz``, ``ner-net-vectors.npy``);
  4. loads what it wrote with the run-time tagger (``marsad.enrich.ner_net.NeuralNerTagger``), scores
     the held-out split sentence by sentence and as 10-sentence documents, and writes ``ner-metrics.json``.

torch is for training only (``pip install torch==2.13.0 onnx``): the run time needs onnxruntime and numpy.

Usage:  python scripts/train_ner_neural.py --vectors /tmp/ant.kv [--epochs 30] [--seed 1] [--threads 1]
                                           [--out src/marsad/data] [--dev-only]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from marsad.config import data_dir  # noqa: E402
from marsad.enrich.ner import _LIGHT, CLITICS, DOC_PROPAGATE, GAZETTEER_NAME, MODEL_NAME, Gazetteer  # noqa: E402
from marsad.enrich.ner_net import (  # noqa: E402
    BINARY_FEATURES,
    CONFIG_NAME,
    MAX_CHARS,
    N_CLUSTER_LEVELS,
    ONNX_NAME,
    VECTORS_NAME,
    WORDS_NAME,
    NetVocab,
    NeuralNerTagger,
    SentenceEncoder,
    SentenceInputs,
    encode_sentence,
    viterbi,
)
from marsad.train.conll import Sentence, read_conll, split_heldout, split_sentences  # noqa: E402
from marsad.train.metrics import entity_prf  # noqa: E402
from marsad.train.ner import DOC_SENTENCES, score_tagger  # noqa: E402

CREDITS = {
    "ANERcorp": "Benajiba, Rosso & Benedí Ruiz (2007), ANERsys; CAMeL Lab train split (Obeid et al. 2020). "
    "CC BY-SA 4.0: the training labels",
    "ANETAC": "Hadj Ameur, Meziane & Guessoum (2019), ANETAC: Arabic Named Entity Transliteration and "
    "Classification: gazetteer names",
    "ArabNamer": "English-Arabic personal-name dictionary. CC BY 4.0: gazetteer names",
    "ANT corpus": "Chouigui, Ben Khiroun & Elayeb, ANT corpus v2.1 (multi-outlet news) and v1.1 (Jawhara FM, "
    "Apache-2.0): unlabelled text for the word clusters and the Word2Vec word vectors",
}
LABELS = ("O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC")
CLUSTER_SIZES = (64 + 1, 256 + 1, 1024 + 1)  # the PPMI cluster levels of the gazetteer, +1 for "none"
TOP_WORDS = 60_000  # most frequent vector words kept beside the training words
MIN_CHAR_FREQ = 2


# ---------------------------------------------------------------------------------------------
# The network (exported to ONNX without the word-vector table) and the CRF
# ---------------------------------------------------------------------------------------------


class Net(nn.Module):
    """Word vectors (word, clitic-stripped reading) + char CNN + prefix, cluster and binary inputs ->
    BiLSTM -> emission scores."""

    def __init__(self, vec_dim: int, n_chars: int, n_prefix: int, hp: dict) -> None:
        super().__init__()
        self.char_emb = nn.Embedding(n_chars, hp["char_dim"], padding_idx=0)
        self.char_conv = nn.Conv1d(hp["char_dim"], hp["char_filters"], 3, padding=1)
        self.pre_emb = nn.Embedding(n_prefix, 8)
        self.clus_emb = nn.ModuleList(nn.Embedding(s, hp["clus_dim"]) for s in CLUSTER_SIZES)
        in_dim = 2 * vec_dim + hp["char_filters"] + 8 + hp["clus_dim"] * N_CLUSTER_LEVELS + len(BINARY_FEATURES)
        self.drop_in = nn.Dropout(hp["dropout"])
        self.drop_out = nn.Dropout(hp["dropout_out"])
        self.lstm = nn.LSTM(in_dim, hp["hidden"], batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hp["hidden"], len(LABELS))

    def forward(self, wvec, svec, prefix, chars, clusters, binary, lengths=None):  # type: ignore[no-untyped-def]
        b, t, c = chars.shape
        ce = self.char_emb(chars.reshape(b * t, c)).transpose(1, 2)
        ch = torch.relu(self.char_conv(ce)).max(dim=2).values.reshape(b, t, -1)
        parts = [wvec, svec, ch, self.pre_emb(prefix)]
        parts.extend(emb(clusters[:, :, k]) for k, emb in enumerate(self.clus_emb))
        parts.append(binary)
        x = self.drop_in(torch.cat(parts, dim=-1))
        if lengths is not None:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=t)
        else:
            h, _ = self.lstm(x)
        return self.out(self.drop_out(h))


class Crf(nn.Module):
    """Linear-chain CRF parameters and its negative log-likelihood (batch, padded, mask)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.trans = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))

    def nll(self, em: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, _ = em.shape
        lengths = mask.sum(1)
        maskf = mask.float()
        gold = self.start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
        for i in range(1, t):
            step = self.trans[tags[:, i - 1], tags[:, i]] + em[:, i].gather(1, tags[:, i : i + 1]).squeeze(1)
            gold = gold + step * maskf[:, i]
        last = tags.gather(1, (lengths - 1)[:, None]).squeeze(1)
        gold = gold + self.end[last]
        alpha = self.start[None] + em[:, 0]
        for i in range(1, t):
            nxt = torch.logsumexp(alpha[:, :, None] + self.trans[None] + em[:, i, None, :], dim=1)
            alpha = torch.where(mask[:, i, None], nxt, alpha)
        log_z = torch.logsumexp(alpha + self.end[None], dim=1)
        return (log_z - gold).sum() / b


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def build_vocab(train: list[Sentence], gaz: Gazetteer, wv, top: int) -> tuple[list[str], np.ndarray, dict]:  # type: ignore[no-untyped-def]
    """Word list (row 0 = unknown) and unit-length float32 vectors: the training words and their
    clitic-stripped readings, then the ``top`` most frequent vector words; plus char and prefix lists."""
    from marsad.enrich.ner_net import _TokenCode  # the key (segmentation) the run time computes

    empty = NetVocab({}, {}, {}, CLUSTER_SIZES)
    seen: dict[str, None] = {}
    chars: Counter[str] = Counter()
    for s in train:
        for w, _ in s:
            code = _TokenCode(w, gaz, empty)
            seen.setdefault(code.norm)
            seen.setdefault(code.key)
            chars.update(_LIGHT(w))
    words = [""]
    index: set[str] = {""}
    for w in (*seen, *wv.index_to_key[:top]):
        if w and w not in index and (w in wv.key_to_index or w in seen):
            words.append(w)
            index.add(w)
    vecs = np.zeros((len(words), wv.vector_size), dtype=np.float32)
    for i, w in enumerate(words):
        if w in wv.key_to_index:
            v = wv[w]
            vecs[i] = v / (np.linalg.norm(v) + 1e-9)
    prefixes = {c for c in CLITICS} | {c[:-2] for c in CLITICS if c.endswith("ال") and len(c) > 2}
    prefixes |= {c[:-2] for c in CLITICS if c.endswith("لل")}
    config = {
        "chars": ["<pad>", "<unk>", *sorted(c for c, n in chars.items() if n >= MIN_CHAR_FREQ)],
        "prefixes": ["", "<unk>", *sorted(p for p in prefixes if p)],
        "cluster_sizes": list(CLUSTER_SIZES),
    }
    return words, vecs, config


def encode_all(sents: list[Sentence], enc: SentenceEncoder) -> list[tuple[SentenceInputs, np.ndarray]]:
    lab = {t: i for i, t in enumerate(LABELS)}
    return [(encode_sentence([w for w, _ in s], enc), np.array([lab[t] for _, t in s])) for s in sents]


def batch(items: list[tuple[SentenceInputs, np.ndarray]]) -> dict[str, torch.Tensor]:
    n = max(len(y) for _, y in items)
    b = len(items)
    word = np.zeros((b, n), np.int64)
    seg = np.zeros((b, n), np.int64)
    prefix = np.zeros((b, n), np.int64)
    chars = np.zeros((b, n, MAX_CHARS), np.int64)
    clusters = np.zeros((b, n, N_CLUSTER_LEVELS), np.int64)
    binary = np.zeros((b, n, len(BINARY_FEATURES)), np.float32)
    tags = np.zeros((b, n), np.int64)
    mask = np.zeros((b, n), bool)
    for i, (x, y) in enumerate(items):
        k = len(y)
        word[i, :k], seg[i, :k], prefix[i, :k] = x.word, x.seg, x.prefix
        chars[i, :k], clusters[i, :k], binary[i, :k] = x.chars, x.clusters, x.binary
        tags[i, :k] = y
        mask[i, :k] = True
    return {
        "word": torch.from_numpy(word), "seg": torch.from_numpy(seg), "prefix": torch.from_numpy(prefix),
        "chars": torch.from_numpy(chars), "clusters": torch.from_numpy(clusters),
        "binary": torch.from_numpy(binary), "tags": torch.from_numpy(tags), "mask": torch.from_numpy(mask),
    }  # fmt: skip


class Model(nn.Module):
    def __init__(self, vecs: np.ndarray, n_chars: int, n_prefix: int, hp: dict) -> None:
        super().__init__()
        self.vectors = nn.Embedding.from_pretrained(torch.from_numpy(vecs), freeze=not hp["finetune"])
        self.net = Net(vecs.shape[1], n_chars, n_prefix, hp)
        self.crf = Crf(len(LABELS))
        self.word_dropout = hp["word_dropout"]

    def emissions(self, bt: dict[str, torch.Tensor]) -> torch.Tensor:
        word, seg = bt["word"], bt["seg"]
        if self.training and self.word_dropout > 0:
            drop = torch.rand(word.shape) < self.word_dropout
            word = word.masked_fill(drop, 0)
            seg = seg.masked_fill(drop & (torch.rand(word.shape) < 0.5), 0)
        lengths = bt["mask"].sum(1)
        return self.net(
            self.vectors(word), self.vectors(seg), bt["prefix"], bt["chars"], bt["clusters"], bt["binary"], lengths
        )


def predict(model: Model, data: list[tuple[SentenceInputs, np.ndarray]], bs: int = 64) -> list[list[str]]:
    model.eval()
    out: list[list[str]] = []
    crf = model.crf
    trans, start, end = (p.detach().numpy().astype(np.float64) for p in (crf.trans, crf.start, crf.end))
    with torch.no_grad():
        for a in range(0, len(data), bs):
            items = data[a : a + bs]
            em = model.emissions(batch(items)).numpy().astype(np.float64)
            for i, (_, y) in enumerate(items):
                out.append([LABELS[k] for k in viterbi(em[i, : len(y)], trans, start, end)])
    return out


def train(
    model: Model, data: list, epochs: int, hp: dict, seed: int, dev: list | None = None, dev_gold: list | None = None
) -> list[float]:
    """Adam, batches of ``hp['batch']`` shuffled sentences; the dev F1 after each epoch (with ``dev``)."""
    rng = random.Random(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=hp["lr"])
    curve: list[float] = []
    best: dict[str, torch.Tensor] = {}
    order = list(range(len(data)))
    size = hp["batch"]
    for ep in range(epochs):
        model.train()
        rng.shuffle(order)
        # batches of similar lengths (less padding): sort within chunks of 20 batches, shuffle the batches
        chunks = [
            sorted(order[a : a + 20 * size], key=lambda i: len(data[i][1])) for a in range(0, len(order), 20 * size)
        ]
        batches = [c[a : a + size] for c in chunks for a in range(0, len(c), size)]
        rng.shuffle(batches)
        t0, total = time.perf_counter(), 0.0
        for ids in batches:
            bt = batch([data[i] for i in ids])
            loss = model.crf.nll(model.emissions(bt), bt["tags"], bt["mask"])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 5.0)
            opt.step()
            total += loss.item()
        msg = f"  epoch {ep + 1:2d} loss {total / len(batches):.3f} ({time.perf_counter() - t0:.0f}s)"
        if dev is not None and dev_gold is not None:
            f1 = float(entity_prf(dev_gold, predict(model, dev))["overall"]["f1"])
            if not curve or f1 > max(curve):
                best = {k: v.detach().clone() for k, v in model.state_dict().items()}
            curve.append(f1)
            msg += f" dev F1 {f1:.4f}"
        print(msg, flush=True)
    if best:
        model.load_state_dict(best)  # early stopping: the epoch with the best dev F1
    return curve


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def export(model: Model, words: list[str], config: dict, out: Path) -> None:
    """Write the ONNX network, its config (labels, CRF, vocabularies), the word list and float16 vectors."""
    model.eval()
    net = model.net
    t = 7
    dummy = (
        torch.zeros(1, t, model.vectors.embedding_dim), torch.zeros(1, t, model.vectors.embedding_dim),
        torch.zeros(1, t, dtype=torch.long), torch.zeros(1, t, MAX_CHARS, dtype=torch.long),
        torch.zeros(1, t, N_CLUSTER_LEVELS, dtype=torch.long), torch.zeros(1, t, len(BINARY_FEATURES)),
    )  # fmt: skip
    names = ["wvec", "svec", "prefix", "chars", "clusters", "binary"]
    torch.onnx.export(
        net, dummy, str(out / ONNX_NAME), input_names=names, output_names=["emissions"],
        dynamic_axes={**{n: {1: "tokens"} for n in names}, "emissions": {1: "tokens"}},
        opset_version=17, dynamo=False,
    )  # fmt: skip
    crf = model.crf
    cfg = {
        **config,
        "labels": list(LABELS),
        "transitions": crf.trans.detach().numpy().round(6).tolist(),
        "start": crf.start.detach().numpy().round(6).tolist(),
        "end": crf.end.detach().numpy().round(6).tolist(),
        "binary_features": list(BINARY_FEATURES),
        "max_chars": MAX_CHARS,
    }
    (out / CONFIG_NAME).write_text(json.dumps(cfg, ensure_ascii=False) + "\n", encoding="utf-8")
    with open(out / WORDS_NAME, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write("\n".join(words).encode("utf-8"))
    vec = model.vectors.weight.detach().numpy().astype(np.float16)
    np.save(out / VECTORS_NAME, vec, allow_pickle=False)


CRF_WEIGHTS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0)


def choose_crf_weight(out: Path, fit_sents: list[Sentence], dev_sents: list[Sentence], crf_model: Path) -> dict:
    """Dev F1 of the network written in ``out`` mixed with a CRF trained on the same fit split (trained
    here with the shipped CRF's c1/c2, or read from ``crf_model`` when that file exists), per weight."""
    from marsad.enrich.ner import NerTagger
    from marsad.enrich.ner_net import NeuralNet
    from marsad.train.ner import featurize, fit

    gaz = Gazetteer.read((out / GAZETTEER_NAME).read_bytes())
    if not crf_model.is_file():
        crf_metrics = json.loads((REPO / "src" / "marsad" / "data" / "ner-crf-metrics.json").read_text("utf-8"))
        c1, c2 = crf_metrics["model"]["c1"], crf_metrics["model"]["c2"]
        print(f"CRF on the fit split (c1={c1}, c2={c2}) -> {crf_model}", flush=True)
        x, y = featurize(fit_sents, gaz)
        fit(x, y, c1, c2, str(crf_model))
    crf = NerTagger(crf_model.read_bytes(), gaz, str(crf_model))
    net = NeuralNet.load_dir(out)
    gold = [[t for _, t in s] for s in dev_sents]
    words = [[w for w, _ in s] for s in dev_sents]
    dev: dict[str, float] = {}
    for w in CRF_WEIGHTS:
        tagger = NeuralNerTagger(net, crf.gazetteer, crf, w) if w > 0 else NeuralNerTagger(net, crf.gazetteer)
        tag = crf.tag_tokens if w == 1.0 else tagger.tag_tokens
        pred = [tag(s) for s in words]
        dev[str(w)] = float(entity_prf(gold, pred)["overall"]["f1"])
        print(f"  CRF weight {w}: dev F1 {dev[str(w)]:.4f}", flush=True)
    return dev


def print_table(scores: dict, title: str) -> None:
    print(title)
    print(f"  {'type':8} {'prec':>7} {'rec':>7} {'F1':>7} {'gold':>6} {'pred':>6}")
    for name, s in scores.items():
        print(f"  {name:8} {s['precision']:7.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['gold']:6d} {s['pred']:6d}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train the neural Arabic NER tagger (BiLSTM-CRF, ONNX).")
    ap.add_argument("--vectors", type=Path, required=True, help="gensim KeyedVectors of the ANT text "
                    "(scripts/train_ner_vectors.py --ant-only; trained and saved there when missing)")  # fmt: skip
    ap.add_argument("--out", type=Path, default=REPO / "src" / "marsad" / "data")
    ap.add_argument("--epochs", type=int, default=15, help="epochs of the dev run (the best one is kept)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--finetune", action="store_true", help="train the word vectors too")
    ap.add_argument("--top-words", type=int, default=TOP_WORDS)
    ap.add_argument("--dev-only", action="store_true", help="write the model but do not score the held-out split")
    ap.add_argument("--no-crf", action="store_true", help="the network alone (no mixing with the CRF's marginals)")
    ap.add_argument("--crf-fit", type=Path, default=Path("/tmp/marsad-ner-crf-fit.model"),
                    help="the CRF trained on the fit split (trained and written there when missing)")  # fmt: skip
    ap.add_argument(
        "--from-dev-run", action="store_true",
        help="no training: the network a --dev-only run wrote in --out (its curve in --dev-json); then mix and score",
    )  # fmt: skip
    ap.add_argument("--dev-json", type=Path, default=Path("/tmp/marsad-ner-dev.json"), help="the dev run's record")
    ap.add_argument("--final-epochs", type=int, help="skip the dev run: train on all of TRAIN this many epochs")
    args = ap.parse_args(argv)
    hp = {
        "char_dim": 32, "char_filters": 64, "clus_dim": 16, "hidden": args.hidden, "dropout": args.dropout,
        "dropout_out": 0.3, "lr": args.lr, "batch": 16, "finetune": args.finetune, "word_dropout": 0.05,
    }  # fmt: skip
    torch.set_num_threads(args.threads)
    t_start = time.perf_counter()

    data = Path(os.environ.get("MARSAD_DATA") or data_dir())
    sents = split_sentences(read_conll(data / "anercorp-train.conll"))
    train_sents, test_sents = split_heldout(sents)
    fit_sents, dev_sents = split_heldout(train_sents)
    print(
        f"ANERcorp: train {len(train_sents)} (fit {len(fit_sents)}, dev {len(dev_sents)}), held-out {len(test_sents)}"
    )

    gaz_path = REPO / "src" / "marsad" / "data" / GAZETTEER_NAME
    gaz = Gazetteer.read(gaz_path.read_bytes())
    from gensim.models import KeyedVectors

    if args.vectors.is_file():
        wv = KeyedVectors.load(str(args.vectors))
    else:
        sys.path.insert(0, str(REPO / "scripts"))
        from train_ner_vectors import train as train_vectors

        wv = train_vectors(data, ant_only=True)
        wv.save(str(args.vectors))
    words, vecs, config = build_vocab(train_sents, gaz, wv, args.top_words)
    vocab = NetVocab.from_config(words, config)
    enc = SentenceEncoder(gaz, vocab, cache_size=10**7)
    print(f"vocabulary: {len(words)} words x {vecs.shape[1]}, {len(config['chars'])} chars", flush=True)

    def fresh(seed: int) -> Model:
        torch.manual_seed(seed)
        np.random.seed(seed)
        return Model(vecs, len(config["chars"]), len(config["prefixes"]), hp)

    fit_data, dev_data = encode_all(fit_sents, enc), encode_all(dev_sents, enc)
    dev_gold = [[t for _, t in s] for s in dev_sents]
    curve: list[float] = []
    t0 = time.perf_counter()
    model = fresh(args.seed)
    if args.from_dev_run:  # the network of an earlier dev run of this script (the same options) in --out
        curve = json.loads(args.dev_json.read_text(encoding="utf-8"))["dev_curve"]
        best_epochs = int(np.argmax(curve)) + 1
        print(f"network of the dev run in {args.out}: best dev F1 {max(curve):.4f} after {best_epochs} epochs")
    elif args.final_epochs:
        best_epochs = args.final_epochs
        print(f"final: all of TRAIN, {best_epochs} epochs", flush=True)
        train(model, encode_all(train_sents, enc), best_epochs, hp, args.seed)
    else:
        # the shipped model is this one, at the epoch with the best dev F1 (early stopping on dev)
        print(f"dev run: {args.epochs} epochs, hp {hp}", flush=True)
        curve = train(model, fit_data, args.epochs, hp, args.seed, dev_data, dev_gold)
        best_epochs = int(np.argmax(curve)) + 1
        print(f"best dev F1 {max(curve):.4f} after {best_epochs} epochs", flush=True)
    train_secs = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.from_dev_run:
        export(model, words, config, args.out)
    if args.out.resolve() != gaz_path.parent.resolve():
        (args.out / GAZETTEER_NAME).write_bytes(gaz_path.read_bytes())
    mix_dev: dict[str, float] = {}
    crf_weight = 0.0
    if not args.no_crf:
        mix_dev = choose_crf_weight(args.out, fit_sents, dev_sents, args.crf_fit)
        crf_weight = float(max((w for w in CRF_WEIGHTS if w < 1.0), key=lambda w: (mix_dev[str(w)], -w)))
        print(f"CRF weight {crf_weight} (dev F1 {mix_dev[str(crf_weight)]:.4f})", flush=True)
        cfg = json.loads((args.out / CONFIG_NAME).read_text(encoding="utf-8"))
        cfg["crf_weight"] = crf_weight
        (args.out / CONFIG_NAME).write_text(json.dumps(cfg, ensure_ascii=False) + "\n", encoding="utf-8")
        if args.out.resolve() != gaz_path.parent.resolve():
            (args.out / MODEL_NAME).write_bytes((gaz_path.parent / MODEL_NAME).read_bytes())
    dev_info = {"dev_curve": curve, "hp": hp, "crf_weight_dev_f1": mix_dev}
    args.dev_json.write_text(json.dumps(dev_info) + "\n", encoding="utf-8")
    if args.dev_only:
        return 0  # model choices: the held-out split is not looked at

    tagger = NeuralNerTagger.load(args.out)
    scores = score_tagger(tagger, test_sents)
    doc_scores = score_tagger(tagger, test_sents, doc_sentences=DOC_SENTENCES)
    print_table(scores, f"held-out split ({len(test_sents)} sentences), entity level, exact span and type:")
    print_table(doc_scores, f"held-out split as documents of {DOC_SENTENCES} sentences (harmonize):")
    files = [ONNX_NAME, CONFIG_NAME, WORDS_NAME, VECTORS_NAME, GAZETTEER_NAME] + ([MODEL_NAME] if crf_weight else [])
    sizes = {f: (args.out / f).stat().st_size for f in files}
    print(f"files: {sizes} total {sum(sizes.values()) / 1e6:.1f} MB; {time.perf_counter() - t_start:.0f}s")
    metrics = {
        "task": "Arabic NER, entity level (conlleval-style: exact span and type)",
        "reproduce": "python scripts/train_ner_vectors.py ANT.kv --ant-only; "
        f"python scripts/train_ner_neural.py --vectors ANT.kv --epochs {args.epochs} --seed {args.seed}"
        + (" --finetune" if args.finetune else ""),
        "split": {
            "corpus": "ANERcorp, train part of the CAMeL Lab split (125,305 tokens), sentences cut at '.' tokens",
            "heldout": "the last 10% of the sentences (one contiguous block of whole articles; "
            "marsad.train.conll.split_heldout), never trained on",
            "dev": "the last 10% of the training sentences: early stopping (the weights of the best dev epoch) "
            "and model choices; the shipped model is trained on the other 90% of TRAIN",
            "sentences": {"train": len(train_sents), "heldout": len(test_sents)},
            "tokens": {"train": sum(map(len, train_sents)), "heldout": sum(map(len, test_sents))},
        },
        "heldout": scores,
        "heldout_documents": {
            "note": f"the same held-out sentences tagged as documents of {DOC_SENTENCES} consecutive sentences, a "
            f"name's type made consistent per document (marsad.enrich.ner.harmonize, propagate={DOC_PROPAGATE})",
            "scores": doc_scores,
        },
        "model": {
            "algorithm": "BiLSTM-CRF (PyTorch, exported to ONNX; Viterbi in numpy), "
            "inputs: Word2Vec vectors of the word and its clitic-stripped reading, char CNN, proclitic, "
            "PPMI clusters, gazetteer and shape facts",
            "hyperparameters": hp,
            "epochs": best_epochs,
            "seed": args.seed,
            "crf_weight": crf_weight,
            "crf_weight_dev_f1": mix_dev,
            "dev_curve": [round(f, 4) for f in curve],
            "train_seconds": round(train_secs),
            "vocabulary": len(words),
            "files_bytes": sizes,
        },
        "label_counts_train": dict(sorted(Counter(t for s in train_sents for _, t in s).items())),
        "credits": CREDITS,
    }
    text = json.dumps(metrics, ensure_ascii=False, indent=2) + "\n"
    (args.out / "ner-metrics.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
