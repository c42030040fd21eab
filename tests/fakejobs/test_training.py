"""Training and evaluation on the real data (skipped when ../shared/data is absent)."""

import numpy as np

from heroes.fakejobs.grouping import template_groups
from heroes.fakejobs.training import best_f1_threshold, evaluate, load_dataset, precision_threshold


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
