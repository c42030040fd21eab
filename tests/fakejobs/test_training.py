"""Training and evaluation on the real data (skipped when ../shared/data is absent)."""

import json

import numpy as np
from typer.testing import CliRunner

from heroes.cli import app
from heroes.fakejobs.ad import Ad
from heroes.fakejobs.engine import Checker
from heroes.fakejobs.grouping import template_groups
from heroes.fakejobs.model import load
from heroes.fakejobs.training import (
    best_f1_threshold,
    choose_decision,
    evaluate,
    load_dataset,
    openings,
    precision_threshold,
    short_honest_ads,
)

SCAM_PARTS = [
    "Earn $400 a day from home",
    "Pay the registration fee by wire today",
    "No experience, no interview",
    "Send a copy of your passport and bank details",
    "Contact our agent on WhatsApp only",
    "Free flights, the fee comes out of your salary",
]
JOB_PARTS = [
    "Our audit team in Leeds needs an accountant",
    "The role reports to the finance director",
    "You will reconcile ledgers and prepare month-end reports",
    "Apply on our careers page",
    "Five years of experience in a similar role",
    "Hybrid work and a pension scheme",
]


def _write_small_data(path, n=24):
    rows = []
    for i in range(n):
        scam = " ".join(SCAM_PARTS[(i + k) % 6] + "." for k in range(4)) + f" Ref {i} scheme {i * 7}."
        job = " ".join(JOB_PARTS[(i + k) % 6] + "." for k in range(4)) + f" Ref {i} branch {i * 3}."
        rows += [{"text": scam, "label": 1}, {"text": job, "label": 0}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_thresholds_on_known_scores():
    scores = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.1])
    labels = np.array([1, 1, 0, 1, 0, 0])
    assert best_f1_threshold(scores, labels) == 0.31  # lowest cut keeping the 4 top scores
    assert precision_threshold(scores, labels, 0.9) == 0.8


def test_templates_never_mix_labels(shared_data):
    data = load_dataset(shared_data / "jobs" / "dev.jsonl")
    groups = template_groups(data.texts)
    for g in np.unique(groups):
        assert len(set(data.labels[groups == g].tolist())) == 1
    assert len(np.unique(groups)) < len(data.texts)  # some templates do repeat


def test_evaluate_shipped_model_on_dev(shared_data, tmp_path):
    sample = tmp_path / "sample.jsonl"
    lines = (shared_data / "jobs" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    sample.write_text("\n".join(lines[::10]) + "\n", encoding="utf-8")
    result = evaluate(sample)
    assert result["n"] == len(lines[::10])
    (tn, fp), (fn, tp) = result["confusion_matrix"]
    assert tn + fp + fn + tp == result["n"] and tp + fn == result["positives"]
    assert result["f1"] > 0.5 and result["pr_auc"] > 0.5  # mostly seen in training: a sanity bound


def test_training_is_reproducible_and_the_model_is_used_as_stored(tmp_path):
    data = tmp_path / "small.jsonl"
    _write_small_data(data)
    runner = CliRunner()
    sums = []
    for out in ("m1", "m2"):
        result = runner.invoke(
            app, ["fakejobs", "train", "--data", str(data), "--no-cv", "--out", str(tmp_path / out), "--seed", "5"]
        )
        assert result.exit_code == 0, result.output
        sums.append(json.loads((tmp_path / out / "fakejobs.json").read_text())["arrays_sha256"])
    assert sums[0] == sums[1]
    model = load(tmp_path / "m1")
    checker = Checker(model)
    assert checker.decisions["en"].threshold == model.metadata["decision"]["en"]["threshold"]
    stored = model.metadata["decision"]["en"]
    long_ad = " ".join(SCAM_PARTS * 3)
    rows = checker.score_many([Ad(text=long_ad), Ad(text="Waiter wanted for a cafe in Leeds, evenings")])
    assert rows[0]["label"] == int(rows[0]["score"] >= stored["threshold"])
    # A short ad with no indicator is labelled from the stored short-ad threshold, in batch and
    # in the explained check alike.
    assert rows[1]["label"] == int(rows[1]["score"] >= max(stored["threshold"], stored["short_threshold"]))
    verdict = checker.check("Waiter wanted for a cafe in Leeds, evenings")
    assert verdict.label == rows[1]["label"]
    assert verdict.threshold == max(stored["threshold"], stored["short_threshold"])


def test_short_threshold_reaches_the_stated_precision():
    # Among short plain ads, scores 0.9 and 0.7 are scams and 0.6 is not: precision 0.8 is kept
    # down to 0.7; the other ads decide the ordinary threshold.
    p = np.array([0.9, 0.7, 0.6, 0.5, 0.45, 0.2, 0.1])
    y = np.array([1, 1, 0, 1, 1, 0, 0])
    short = np.array([True, True, True, False, False, False, False])
    decision = choose_decision(p, y, short)
    assert decision["short_threshold"] == 0.7
    assert decision["threshold"] <= 0.45 and decision["high_threshold"] >= decision["threshold"]
    # Without short plain ads to learn from, they get the ordinary threshold.
    none_short = choose_decision(p, y, np.zeros(7, dtype=bool))
    assert none_short["short_threshold"] == none_short["threshold"]
    assert choose_decision(p, y, short, short_cut=False)["short_threshold"] == decision["threshold"]


def test_openings_and_the_short_honest_supplement():
    long_text = "We hire drivers. " * 30
    index, crops = openings(["short ad only", long_text])
    assert index.tolist() == [1] and 10 <= len(crops[0].split()) <= 60
    ads = short_honest_ads()
    assert len(ads) == 300 and len(set(ads)) == 300 and ads == short_honest_ads()
