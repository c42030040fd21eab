import importlib.util

import pytest

from heroes.media.hashers import HashError
from heroes.media.hashlists import HashEntry, HashList
from heroes.media.matcher import Matcher
from heroes.media.scan import hash_file
from heroes.media.vpdq import format_frames, hash_video, parse_frames
from tests.media.synthetic import make_video, reencode


def test_one_frame_per_second(tmp_path) -> None:
    frames = hash_video(str(make_video(tmp_path / "a.mp4", seed=2, seconds=3, fps=10)))
    assert [f.timestamp for f in frames] == [0.0, 1.0, 2.0]
    assert all(len(f.pdq) == 64 and 0 <= f.quality <= 100 for f in frames)


@pytest.mark.skipif(importlib.util.find_spec("vpdq") is None, reason="vpdq package not installed")
def test_same_features_as_meta_vpdq(tmp_path) -> None:
    import vpdq

    path = make_video(tmp_path / "a.mp4", seed=4, seconds=4)
    ours = hash_video(str(path))
    theirs = vpdq.computeHash(str(path))
    assert [(f.pdq, f.quality, round(f.timestamp, 3)) for f in ours] == [
        (f.hex, f.quality, round(f.timestamp, 3)) for f in theirs
    ]


def test_serialisation_round_trip_and_errors(tmp_path) -> None:
    frames = hash_video(str(make_video(tmp_path / "a.mp4", seed=3, seconds=2)))
    assert parse_frames(format_frames(frames)) == frames
    with pytest.raises(HashError, match="feature 1"):
        parse_frames("nothex,100,0.0")
    with pytest.raises(HashError):
        parse_frames("[")


def test_video_found_again_after_reencoding(tmp_path) -> None:
    listed = hash_file(make_video(tmp_path / "listed.mp4", seed=9, seconds=4))
    other = hash_file(make_video(tmp_path / "other.mp4", seed=30, seconds=4))
    assert listed.type == "video" and listed.value("vpdq")
    matcher = Matcher([HashList("videos", [HashEntry("vpdq", listed.value("vpdq"), "B")])])
    copy = hash_file(reencode(tmp_path / "listed.mp4", tmp_path / "copy.mkv"))
    assert copy.value("md5") != listed.value("md5")
    hit = matcher.match(copy.hashes).matches
    assert [m.hash_type for m in hit] == ["vpdq"]
    assert hit[0].extra["query_match_percent"] >= 80.0
    assert matcher.match(other.hashes).matches == []
