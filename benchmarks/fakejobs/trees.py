"""Gradient-boosted trees as plain arrays: exported from scikit-learn's HistGradientBoosting and
evaluated by a small numpy walker, so that a boosted stacker could ship in the NPZ like every
other part of the model (no pickle) and score without scikit-learn's private predictor classes.
Kept beside the screens (screen_variants.py): the boosted stacker was screened, not adopted
(RESULTS.md). `python benchmarks/fakejobs/trees.py` checks the walker against scikit-learn.

All trees are concatenated into one node table; a tree's nodes keep their relative child
indices, shifted by the tree's offset. A row goes left where `x[feature] <= threshold` (or the
value is missing and the node sends missing values left), as scikit-learn does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class TreeEnsemble:
    feature: np.ndarray  # int32 per node
    threshold: np.ndarray  # float64 per node
    left: np.ndarray  # int32 per node: absolute index of the left child (leaves: -1)
    right: np.ndarray  # int32 per node
    missing_left: np.ndarray  # bool per node
    value: np.ndarray  # float64 per node: the leaf's contribution to the raw score
    roots: np.ndarray  # int32 per tree
    baseline: float
    depth: int  # the deepest leaf, so the walk knows when to stop

    @classmethod
    def from_sklearn(cls, model: Any) -> TreeEnsemble:
        """From a fitted binary `HistGradientBoostingClassifier` (numeric features only)."""
        nodes_per_tree = [stage[0].nodes for stage in model._predictors]
        if any(bool(np.any(nodes["is_categorical"])) for nodes in nodes_per_tree):
            raise ValueError("categorical splits are not exported")
        roots, offset = [], 0
        columns: dict[str, list[np.ndarray]] = {k: [] for k in ("feature", "threshold", "left", "right", "miss", "val")}
        for nodes in nodes_per_tree:
            leaf = nodes["is_leaf"].astype(bool)
            roots.append(offset)
            columns["feature"].append(np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32))
            columns["threshold"].append(nodes["num_threshold"].astype(np.float64))
            columns["left"].append(np.where(leaf, -1, nodes["left"] + offset).astype(np.int32))
            columns["right"].append(np.where(leaf, -1, nodes["right"] + offset).astype(np.int32))
            columns["miss"].append(nodes["missing_go_to_left"].astype(bool))
            columns["val"].append(np.where(leaf, nodes["value"], 0.0).astype(np.float64))
            offset += len(nodes)
        depth = max(int(nodes["depth"].max()) for nodes in nodes_per_tree)
        return cls(
            np.concatenate(columns["feature"]),
            np.concatenate(columns["threshold"]),
            np.concatenate(columns["left"]),
            np.concatenate(columns["right"]),
            np.concatenate(columns["miss"]),
            np.concatenate(columns["val"]),
            np.array(roots, dtype=np.int32),
            float(np.ravel(model._baseline_prediction)[0]),
            depth,
        )

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The raw score (log-odds) per row of `x` (n, features)."""
        x = np.asarray(x, dtype=np.float64)
        n = x.shape[0]
        node = np.broadcast_to(self.roots, (n, self.roots.size)).copy()  # (rows, trees)
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            inner = self.left[node] >= 0
            if not inner.any():
                break
            values = x[rows, self.feature[node]]
            go_left = (values <= self.threshold[node]) | (np.isnan(values) & self.missing_left[node])
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
        return np.asarray(self.baseline + self.value[node].sum(axis=1))

    def proba(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(self.raw(x), -40, 40))))

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}_feature": self.feature,
            f"{prefix}_threshold": self.threshold,
            f"{prefix}_left": self.left,
            f"{prefix}_right": self.right,
            f"{prefix}_missing_left": self.missing_left,
            f"{prefix}_value": self.value,
            f"{prefix}_roots": self.roots,
            f"{prefix}_meta": np.array([self.baseline, self.depth], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str) -> TreeEnsemble:
        meta = arrays[f"{prefix}_meta"]
        return cls(
            arrays[f"{prefix}_feature"].astype(np.int32),
            arrays[f"{prefix}_threshold"].astype(np.float64),
            arrays[f"{prefix}_left"].astype(np.int32),
            arrays[f"{prefix}_right"].astype(np.int32),
            arrays[f"{prefix}_missing_left"].astype(bool),
            arrays[f"{prefix}_value"].astype(np.float64),
            arrays[f"{prefix}_roots"].astype(np.int32),
            float(meta[0]),
            int(meta[1]),
        )


def _parity() -> None:
    """Fit a boosted model on synthetic data (with missing values) and print the largest
    difference between scikit-learn's probabilities and the walker's, before and after an NPZ
    round trip."""
    import io

    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(13)
    x = rng.normal(size=(2000, 12))
    y = (x[:, 0] + x[:, 1] ** 2 + rng.normal(size=2000) > 1).astype(int)
    x[::37, 3] = np.nan
    model = HistGradientBoostingClassifier(max_iter=200, max_leaf_nodes=15, min_samples_leaf=20, random_state=13)
    model.fit(x, y)
    trees = TreeEnsemble.from_sklearn(model)
    test = rng.normal(size=(1000, 12))
    test[::11, 3] = np.nan
    buffer = io.BytesIO()
    np.savez(buffer, **trees.arrays("stack"))
    buffer.seek(0)
    loaded = TreeEnsemble.from_arrays(np.load(buffer, allow_pickle=False), "stack")
    reference = model.predict_proba(test)[:, 1]
    direct = np.abs(trees.proba(test) - reference).max()
    after = np.abs(loaded.proba(test) - reference).max()
    print(
        f"{trees.roots.size} trees, {trees.feature.size} nodes, depth {trees.depth}: "
        f"largest difference {direct:.1e}, after NPZ {after:.1e}"
    )


if __name__ == "__main__":
    _parity()
