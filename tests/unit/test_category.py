"""News category classifier: the seed page, hand-written snippets per label, edge cases, model loading."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest

from marsad.enrich import category as cat
from marsad.enrich.category import LABELS, Category, CategoryClassifier, default_classifier
from marsad.errors import ConfigError

SEED_SPORT_HEADLINE = "كوريا الشمالية تحت 17 تكتسح إندونيسيا بسداسية في كأس آسيا"

# (title, text) per label; short, plain news copy of the kind each section runs.
SNIPPETS: dict[str, list[tuple[str, str]]] = {
    "politics": [
        ("البرلمان يصوت على قانون الانتخابات الجديد",
         "صوت مجلس النواب على مشروع قانون الانتخابات وسط احتجاجات أحزاب المعارضة التي قاطعت الجلسة."),
        ("غارات جوية على مواقع المسلحين في شمال سوريا",
         "شنت طائرات التحالف غارات على مواقع للمسلحين، فيما دعت الأمم المتحدة إلى وقف إطلاق النار."),
        ("وزير الخارجية يبحث مع نظيره الأمريكي الأزمة الإقليمية",
         "بحث وزير الخارجية في اتصال هاتفي مع نظيره الأمريكي تطورات الأزمة وسبل الحل السياسي."),
    ],
    "economy": [
        ("ارتفاع أسعار النفط وتراجع الدولار",
         "ارتفعت أسعار خام برنت في الأسواق العالمية بينما تراجع الدولار أمام العملات الرئيسية."),
        ("البنك المركزي يرفع سعر الفائدة لكبح التضخم",
         "قرر البنك المركزي رفع سعر الفائدة نصف نقطة مئوية بعد ارتفاع معدل التضخم إلى أعلى مستوى."),
        ("الشركة تعلن أرباحا فصلية قياسية",
         "أعلنت الشركة عن ارتفاع أرباحها الفصلية وقفزت أسهمها في البورصة مع تحسن المبيعات والاستثمارات."),
    ],
    "sport": [
        ("ريال مدريد يفوز على برشلونة في الدوري الإسباني",
         "سجل مهاجم ريال مدريد هدفين في المباراة التي أقيمت على ملعب سانتياغو برنابيو."),
        ("المنتخب يتأهل إلى نهائيات كأس العالم",
         "تأهل المنتخب الوطني لكرة القدم إلى نهائيات كأس العالم بعد فوزه في المباراة الأخيرة بالتصفيات."),
        ("اللاعب يجدد عقده مع النادي لثلاثة مواسم", "أعلن النادي تجديد عقد لاعب الوسط حتى نهاية الموسم بعد المقبل."),
    ],
    "technology": [
        ("آبل تكشف عن هاتف آيفون جديد",
         "كشفت شركة آبل عن هاتفها الجديد بكاميرا متطورة وبطارية أكبر ومعالج أسرع من الجيل السابق."),
        ("علماء يكتشفون كوكبا جديدا خارج المجموعة الشمسية",
         "رصد فريق من العلماء باستخدام تلسكوب فضائي كوكبا يشبه الأرض يدور حول نجم قريب."),
        ("تطبيق جديد لحماية بيانات المستخدمين",
         "أطلقت الشركة تحديثا لتطبيقها على الهواتف الذكية يحمي بيانات المستخدمين على الإنترنت."),
    ],
    "culture": [
        ("انطلاق مهرجان السينما بمشاركة أفلام عربية",
         "افتتح المهرجان دورته الجديدة بعرض فيلم للمخرج الشاب بحضور نجوم السينما والفنانين."),
        ("الفنانة تطرح ألبومها الغنائي الجديد",
         "طرحت الفنانة ألبومها الجديد الذي يضم عشر أغان من ألحان كبار الموسيقيين."),
        ("رحيل الممثل الكبير بعد مسيرة فنية حافلة",
         "توفي الممثل بعد مسيرة طويلة في المسرح والسينما والتلفزيون قدم خلالها عشرات الأعمال."),
    ],
    "society": [
        ("سوسة: إيقاف شخصين بتهمة السرقة",
         "تمكنت الوحدات الأمنية من إيقاف شخصين يشتبه في تورطهما في سرقة محل تجاري وحجز المسروقات."),
        ("حادث مرور يخلف قتيلين و3 جرحى",
         "لقي شخصان حتفهما وأصيب ثلاثة آخرون في حادث مرور على الطريق الرابطة بين المدينتين."),
        ("القبض على منحرف خطير محل مناشير تفتيش",
         "ألقى أعوان الحرس القبض على منحرف خطير صادرة في شأنه عدة مناشير تفتيش."),
    ],
}


@pytest.fixture(scope="module")
def clf() -> CategoryClassifier:
    return default_classifier()


def _seed_article(seed_path: Path) -> str:
    text = seed_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("المصدر:"))
    return "\n".join(lines[:end]).strip()


def test_seed_first_article_is_politics(clf: CategoryClassifier, seed_path: Path) -> None:
    body = _seed_article(seed_path)
    assert body.startswith("أكد أحد الموالين للكرملين")
    got = clf.predict("", body)
    assert got.label == "politics"
    assert got.confidence > 0.5


def test_seed_last_related_headline_is_sport(clf: CategoryClassifier, seed_path: Path) -> None:
    last = seed_path.read_text(encoding="utf-8").strip().splitlines()[-1]
    assert SEED_SPORT_HEADLINE in last
    assert clf.predict(SEED_SPORT_HEADLINE, "").label == "sport"


@pytest.mark.parametrize(("label", "doc"), [(label, doc) for label, docs in SNIPPETS.items() for doc in docs])
def test_hand_written_snippets(clf: CategoryClassifier, label: str, doc: tuple[str, str]) -> None:
    got = clf.predict(*doc)
    assert got.label == label, f"{doc[0]!r}: {got}"
    assert 1 / len(LABELS) <= got.confidence <= 1.0


def test_predict_many_matches_predict(clf: CategoryClassifier) -> None:
    docs = [doc for docs in SNIPPETS.values() for doc in docs] + [("", ""), ("Hello", "world")]
    assert clf.predict_many(docs) == [clf.predict(*d) for d in docs]
    assert clf.predict_many([]) == []


@pytest.mark.parametrize(
    "doc",
    [("", ""), ("   ", "\n\n"), ("Breaking news", "The central bank raised rates."), ("2024", "17 - 3"),
     ("مرحبا", ""), ("\u200f\u200e", "\ufeff"), (None, None)],
)
def test_empty_or_non_arabic_gives_zero_confidence(clf: CategoryClassifier, doc: tuple[str, str]) -> None:
    got = clf.predict(*doc)
    assert got == Category(cat.FALLBACK_LABEL, 0.0)


def test_long_and_odd_text_does_not_crash(clf: CategoryClassifier) -> None:
    weird = "كرة القدم " * 20_000 + "\x00\ud800?" + "ﻻﻹﻷ" * 100
    got = clf.predict("عنوان" * 500, weird)
    assert got.label in LABELS and 0.0 <= got.confidence <= 1.0


def test_labels_and_default_is_cached(clf: CategoryClassifier) -> None:
    assert LABELS == ("politics", "economy", "sport", "technology", "culture", "society")
    assert clf.labels == LABELS
    assert default_classifier() is clf


def _tiny_model(**overrides: object) -> dict[str, object]:
    n = 16
    model: dict[str, object] = {
        "format": cat.FORMAT,
        "features_version": cat.FEATURES_VERSION,
        "labels": list(LABELS),
        "n_features": n,
        "idf": np.ones(n, dtype=np.float32),
        "coef": np.zeros((len(LABELS), n), dtype=np.float32),
        "intercept": np.arange(len(LABELS), dtype=np.float32),
        "temperature": 1.0,
        "sklearn_version": __import__("sklearn").__version__,
        "probe": {"features": ["a", "b"], "indices": cat.hash_features([["a", "b"]], n).indices.tolist()},
    }
    model.update(overrides)
    return model


def test_load_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    joblib.dump(_tiny_model(), path)
    clf = CategoryClassifier.load(path)
    got = clf.predict("خبر عاجل من العاصمة", "")
    assert got.label == "society"  # the largest intercept wins when every coefficient is 0


def test_missing_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        CategoryClassifier.load(tmp_path / "nope.joblib")


def test_unreadable_model_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.joblib"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ConfigError, match="cannot read"):
        CategoryClassifier.load(path)


@pytest.mark.parametrize(
    ("override", "message"),
    [({"format": 99}, "format"), ({"features_version": "old"}, "features"), ({"labels": ["a", "b"]}, "labels"),
     ({"probe": {"features": ["a", "b"], "indices": [15, 14, 13]}}, "hashes features differently")],
)
def test_incompatible_model_is_a_config_error(tmp_path: Path, override: dict[str, object], message: str) -> None:
    path = tmp_path / "m.joblib"
    joblib.dump(_tiny_model(**override), path)
    with pytest.raises(ConfigError, match=message):
        CategoryClassifier.load(path)


def test_other_sklearn_version_warns(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    joblib.dump(_tiny_model(sklearn_version="0.1.0"), path)
    with pytest.warns(UserWarning, match="scikit-learn 0.1.0"):
        CategoryClassifier.load(path)
