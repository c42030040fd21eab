"""The category model: safe persistence (checksum, no pickle), reproducible training, the shipped model."""

from pathlib import Path

import numpy as np
import pytest

from heroes.reports import model, training


def test_shipped_model_loads_with_its_metadata() -> None:
    saved = model.load()
    meta = saved.metadata
    assert meta["format_version"] == model.FORMAT_VERSION and meta["seed"] == training.SEED
    assert set(meta["metrics"]["category_accuracy"]) >= {"en", "es"}
    assert len(meta["training_sha256"]) == 64 and meta["encoder"]
    assert saved.version == meta["arrays_sha256"][:12]
    assert "other" in meta["classes"]


def test_training_is_reproducible_and_saved_safely(tmp_path: Path) -> None:
    data = training.load_dataset([training.WRITTEN_CASES])
    runs = []
    for name in ("a", "b"):
        feats = training.features_of(data)
        clf = model.CategoryClassifier().fit_features(feats.vectors, feats.phrases, data.categories)
        model.save(clf, {"seed": training.SEED}, tmp_path / name)
        runs.append((tmp_path / name / f"{model.NAME}.npz").read_bytes())
    assert runs[0] == runs[1]
    loaded = model.load(tmp_path / "a").classifier
    probabilities = loaded.predict_proba(["The boss keeps our passports and never pays us."])
    assert probabilities.shape == (1, len(loaded.classes_)) and np.isclose(probabilities.sum(), 1.0)
    assert loaded.predict(["Los dueños de la finca retienen los pasaportes y no pagan."])[0] == "labour_exploitation"


def test_altered_or_missing_models_are_refused(tmp_path: Path) -> None:
    with pytest.raises(model.ModelMissing):
        model.load(tmp_path)
    target = tmp_path / "m"
    target.mkdir()
    for suffix in (".json", ".npz"):
        source = model.MODEL_DIR / f"{model.NAME}{suffix}"
        (target / source.name).write_bytes(source.read_bytes())
    payload = bytearray((target / f"{model.NAME}.npz").read_bytes())
    payload[-40] ^= 0xFF
    (target / f"{model.NAME}.npz").write_bytes(bytes(payload))
    with pytest.raises(model.ModelError, match="checksum"):
        model.load(target)


def test_bad_training_data_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(training.HeroesError, match="needs a text and a category"):
        training.load_dataset([broken])


def test_the_neighbours_vote_follows_the_nearest_labelled_reports() -> None:
    rng = np.random.default_rng(13)
    kinds = ["labour_exploitation", "other", "sextortion"]
    centres = rng.normal(size=(3, 16)).astype(np.float32)
    vectors = np.vstack([centre + 0.05 * rng.normal(size=(5, 16)) for centre in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = [kind for kind in kinds for _ in range(5)]
    no_phrases = np.zeros((15, 3))
    clf = model.CategoryClassifier(neighbour_weight=1.0, k=3).fit_features(vectors, no_phrases, labels)
    vote = clf.neighbour_vote(vectors[[0, 7, 14]])
    assert np.allclose(vote.sum(axis=1), 1.0)
    assert list(clf.classes_[vote.argmax(axis=1)]) == kinds
    # with no share for the neighbours, the prediction is the linear model's alone
    clf.neighbour_weight = 0.0
    assert np.allclose(clf.predict_proba_features(vectors, no_phrases), clf.linear_proba(vectors, no_phrases))


def test_written_cases_are_documented_and_balanced() -> None:
    import json
    from collections import Counter

    rows = [json.loads(line) for line in training.WRITTEN_CASES.read_text(encoding="utf-8").splitlines() if line]
    assert all(row["source"] and row["text"] and row["lang"] in ("en", "es") for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)
    counts = Counter((row["lang"], row["category"]) for row in rows)
    assert min(counts.values()) >= 30 and len(counts) == 20


def test_the_neighbour_vote_sums_like_the_per_cell_additions_it_replaced() -> None:
    """The vote's float64 sums are added in the same order as `np.add.at` did, so the shipped
    model's probabilities keep their bits (the retrained model stays byte for byte)."""
    clf = model.load().classifier
    rng = np.random.default_rng(13)
    vectors = rng.standard_normal((9, clf.examples_.shape[1])).astype(np.float32)
    vectors[0] = clf.examples_[3]  # a near-duplicate of an example, and one of two equal rows
    vectors[1] = clf.examples_[3]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = vectors @ clf.examples_.astype(np.float32).T
    top = np.argpartition(-similarity, clf.k - 1, axis=1)[:, : clf.k]
    weights = np.exp(10.0 * (np.take_along_axis(similarity, top, axis=1) - 1.0))
    label_index = np.array([list(clf.classes_).index(c) for c in clf.example_labels_])
    expected = np.zeros((len(vectors), len(clf.classes_)), dtype=np.float64)
    np.add.at(expected, (np.repeat(np.arange(len(vectors)), clf.k), label_index[top].ravel()), weights.ravel())
    expected /= np.maximum(expected.sum(axis=1, keepdims=True), 1e-12)
    got = clf.neighbour_vote(vectors)
    assert got.tobytes() == expected.tobytes()
    assert got[0].argmax() == list(clf.classes_).index(clf.example_labels_[3])
