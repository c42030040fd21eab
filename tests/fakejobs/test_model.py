import json
import shutil

import numpy as np
import pytest
from sklearn.base import clone

from heroes.fakejobs.features import CharTfidf, WordTfidf, char_ngram_buckets
from heroes.fakejobs.grouping import template_groups
from heroes.fakejobs.model import (
    MODEL_DIR,
    Decision,
    FakeJobClassifier,
    ModelError,
    SavedModel,
    Stacker,
    load,
    plain_short,
    save,
    to_base_rate,
)
from heroes.fakejobs.text import normalise

SCAMS = [
    "earn money fast from home, pay a small registration fee today",
    "easy money from home, send the registration fee by wire today",
    "no experience, earn cash fast, pay the starter kit fee now",
    "work from home and earn fast money, registration fee required",
    "quick cash from home, only a small fee to register today",
    "pay the training fee and earn money from home fast",
]
JOBS = [
    "senior accountant for our audit team, five years of experience",
    "nurse for the night shift at the regional hospital, licence required",
    "software engineer to build our payments platform in a small team",
    "warehouse supervisor to plan shifts and train new colleagues",
    "teacher of mathematics for a secondary school, full time",
    "civil engineer to oversee bridge projects with the city council",
]


@pytest.fixture(scope="module")
def small_model():
    texts = SCAMS + JOBS
    labels = [1] * len(SCAMS) + [0] * len(JOBS)
    return FakeJobClassifier(n_buckets=2**12, min_df=1, calibration_folds=3).fit(texts, labels), texts, labels


def test_normalise_removes_source_artifacts():
    assert normalise("our kitchen.Duties Include") == "our kitchen. duties include"
    assert normalise("We’re hiring • now") == "we're hiring now"
    assert normalise("staffFriendly manner") == "staff friendly manner"


def test_char_ngrams_never_cross_documents():
    rows, _ = char_ngram_buckets(["ab", "cd"], (3,), 64)
    assert rows.size == 0
    rows, buckets = char_ngram_buckets(["abc", "abcd"], (3,), 2**20)
    assert rows.tolist() == [0, 1, 1]
    assert buckets[0] == buckets[1]  # "abc" hashes the same in both documents


def test_tfidf_rows_are_l2_normalised_and_unknown_words_empty():
    word = WordTfidf(min_df=1).fit(["alpha beta", "beta gamma"])
    matrix = word.transform(["alpha beta", "zeta omega"])
    assert np.isclose(np.sqrt(matrix[0].multiply(matrix[0]).sum()), 1.0)
    assert matrix[1].nnz == 0
    char = CharTfidf((3,), 2**10).fit(["alpha beta"])
    assert np.isclose(np.sqrt(char.transform(["alpha"]).power(2).sum()), 1.0)


def test_classifier_follows_estimator_conventions(small_model):
    clf, texts, _labels = small_model
    proba = clf.predict_proba(texts)
    assert proba.shape == (len(texts), 2) and np.allclose(proba.sum(axis=1), 1)
    assert proba[: len(SCAMS), 1].mean() > proba[len(SCAMS) :, 1].mean()
    assert clone(clf).get_params() == clf.get_params()
    assert set(clf.predict(texts)) <= {0, 1}


def test_contributions_name_words_of_the_ad(small_model):
    clf, _, _ = small_model
    terms = clf.contributions("pay the registration fee and earn money")
    assert terms and all(
        set(t["term"].split()) <= {"pay", "the", "registration", "fee", "and", "earn", "money"} for t in terms
    )


def test_save_and_load_round_trip_without_pickle(small_model, tmp_path):
    clf, texts, _ = small_model
    rng = np.random.default_rng(0)
    stackers = {
        "en": Stacker(("lexical", "semantic", "indicators"), np.array([1.0, 0.5, 1.2]), -1.0),
        "xl": Stacker(("semantic", "indicators"), np.array([0.8, 1.1]), -0.7),
    }
    metadata = {
        "decision": {"en": {"threshold": 0.3, "high_threshold": 0.7}, "xl": {"threshold": 0.25, "high_threshold": 0.8}},
        "base_rate": {"training": 0.26, "shown": 0.05},
    }
    model = SavedModel(clf, metadata, rng.normal(size=512), 0.1, stackers)
    save(model, tmp_path)
    loaded = load(tmp_path)
    assert np.allclose(loaded.classifier.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)
    assert np.allclose(loaded.semantic_coef, model.semantic_coef, atol=1e-6)
    assert loaded.stackers["xl"].features == ("semantic", "indicators")
    assert loaded.decisions["xl"].threshold == 0.25 and loaded.decisions["en"].level(0.75) == "high"
    meta = json.loads((tmp_path / "fakejobs.json").read_text())
    assert meta["format_version"] == 2 and len(meta["arrays_sha256"]) == 64


def test_short_ads_without_indicators_need_the_short_threshold():
    decision = Decision(threshold=0.4, high_threshold=0.8, short_threshold=0.6)
    assert decision.label(0.5) == 1 and decision.level(0.5) == "medium"
    assert decision.label(0.5, plain_short=True) == 0 and decision.level(0.5, plain_short=True) == "low"
    assert decision.label(0.65, plain_short=True) == 1 and decision.level(0.65, plain_short=True) == "medium"
    assert decision.level(0.85, plain_short=True) == "high"
    # A short cut above "high" moves "high" up with it: a labelled-honest ad is never "high".
    strict = Decision(threshold=0.4, high_threshold=0.7, short_threshold=0.9)
    assert strict.level(0.8, plain_short=True) == "low" and strict.level(0.8) == "high"
    # Models saved before the short cut existed keep one threshold.
    assert Decision(0.4, 0.8).cut(True) == 0.4
    words = " ".join(["word"] * 60)
    mask = plain_short(["waiter wanted, evenings", "waiter wanted, evenings", words], np.array([0.0, 0.9, 0.0]))
    assert mask.tolist() == [True, False, False]


def test_base_rate_conversion():
    assert to_base_rate(0.3, 0.26, 0.26) == pytest.approx(0.3)
    low = to_base_rate(np.array([0.1, 0.5, 0.9]), 0.26, 0.05)
    assert np.all(np.diff(low) > 0) and np.all(low < [0.1, 0.5, 0.9])
    # odds scale by (0.05 / 0.95) / (0.26 / 0.74)
    assert float(to_base_rate(0.5, 0.26, 0.05)) == pytest.approx(1 / (1 + 0.26 / 0.74 * 0.95 / 0.05))


def test_tampered_model_is_refused(tmp_path):
    shutil.copytree(MODEL_DIR, tmp_path / "model")
    npz = tmp_path / "model" / "fakejobs.npz"
    data = bytearray(npz.read_bytes())
    data[-10] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        load(tmp_path / "model")
    with pytest.raises(ModelError, match="train"):
        load(tmp_path / "missing")


def test_shipped_model_metadata_records_thresholds_and_cv_against_baseline():
    meta = load().metadata
    assert meta["seed"] == 13 and meta["format_version"] == 2
    for route in ("en", "xl"):
        decision = meta["decision"][route]
        assert 0 < decision["threshold"] <= decision["high_threshold"] <= 1
        assert decision["threshold"] <= decision["short_threshold"] <= 1
    assert meta["base_rate"]["shown"] == 0.05 and 0.2 < meta["base_rate"]["training"] < 0.3
    assert meta["decision"]["xl"]["short_threshold"] == meta["decision"]["xl"]["threshold"]
    cv = meta["cv"]
    assert cv["stacked"]["pr_auc"] > cv["baseline"]["pr_auc"]
    assert cv["stacked"]["f1"] > cv["baseline"]["f1"]


def test_template_groups_join_near_duplicates_only():
    base = "we are hiring drivers for our delivery fleet in the north of the city with good pay and fixed hours"
    texts = [
        base,
        base.replace("north", "south"),
        "teacher of music for a primary school in the east with small classes",
    ]
    groups = template_groups(texts)
    assert groups[0] == groups[1] != groups[2]
