import json
import shutil

import numpy as np
import pytest

from heroes.grooming.corpus import Stream
from heroes.grooming.cues import default_cues
from heroes.grooming.features import Featurizer
from heroes.grooming.model import GroomingModel, ModelError, default_model, shipped_model_dir
from heroes.grooming.training import featurise, train_model

from .conftest import GROOMING_CHAT, ORDINARY_CHAT


def test_shipped_model_metadata():
    meta = default_model().metadata
    assert meta["format_version"] == 1
    assert len(meta["sha256"]) == 64
    assert meta["seed"] == 13
    assert 0.5 <= meta["threshold"] < 1
    assert meta["oof_metrics"]["author_f05"] > 0.8


def test_round_trip_and_tamper_detection(tmp_path):
    shutil.copytree(shipped_model_dir(), tmp_path / "m")
    model = GroomingModel.load(tmp_path / "m")
    model.save(tmp_path / "again")
    again = GroomingModel.load(tmp_path / "again")
    np.testing.assert_allclose(again.text.coef_, model.text.coef_)
    assert model.segment is not None and again.segment is not None
    np.testing.assert_allclose(again.segment.coef_, model.segment.coef_)
    assert again.metadata["sha256"] == model.metadata["sha256"]  # saving is deterministic
    data = bytearray((tmp_path / "m" / "grooming.npz").read_bytes())
    data[100] ^= 0xFF
    (tmp_path / "m" / "grooming.npz").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        GroomingModel.load(tmp_path / "m")


def test_other_format_version_is_refused(tmp_path):
    shutil.copytree(shipped_model_dir(), tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "grooming.json").read_text())
    meta["format_version"] = 99
    (tmp_path / "m" / "grooming.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="format 99"):
        GroomingModel.load(tmp_path / "m")


def _toy_streams():
    groom = [t for a, t in GROOMING_CHAT if a == "sam"]
    plain = [t for _, t in ORDINARY_CHAT]
    streams = []
    for i in range(18):
        streams.append(Stream(f"p{i}", f"g{i}", "toy-pos", 1, groom[i % 3 :] + groom[: i % 3]))
        streams.append(Stream(f"n{i}", f"g{i}", "toy-neg", 0, plain[i % 4 :] + plain[: i % 4]))
    return streams


def test_training_is_reproducible_and_learns():
    items = featurise(_toy_streams(), Featurizer(2**12), default_cues(), lambda m: None)
    a = train_model(items, seed=3, n_features=2**12).model
    b = train_model(items, seed=3, n_features=2**12).model
    np.testing.assert_array_equal(a.text.coef_, b.text.coef_)
    np.testing.assert_array_equal(a.stacker.coef_, b.stacker.coef_)
    assert a.policy.raise_at == b.policy.raise_at
    f = Featurizer(2**12)
    pos = a.text.predict_proba(_rows(f, ["send me a pic", "this is our secret"]))[:, 1]
    neg = a.text.predict_proba(_rows(f, ["football practice tomorrow", "maths homework"]))[:, 1]
    assert pos.min() > neg.max()


def _rows(f, texts):
    import scipy.sparse as sp

    rows = [f.counts(t) for t in texts]
    data, ind, ptr = [], [], [0]
    for r in rows:
        ind += list(r)
        data += list(r.values())
        ptr.append(len(ind))
    return sp.csr_matrix((data, ind, ptr), shape=(len(rows), f.n_features), dtype=float)
