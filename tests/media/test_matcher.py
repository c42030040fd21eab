import numpy as np
import pytest

from heroes.media.hashers import HashValue
from heroes.media.hashlists import HashEntry, HashList
from heroes.media.matcher import Matcher
from heroes.media.scan import hash_file
from tests.media.synthetic import make_image, mirror


def _flip_bits(hex_value: str, n: int) -> str:
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(hex_value), dtype=np.uint8))
    bits[:n] ^= 1
    return np.packbits(bits).tobytes().hex()


PDQ = "5a" * 32
MD5 = "0cc175b9c0f1b6a831c399e269772661"


def _hashes(md5: str = "11" * 16, pdq: str | None = PDQ, quality: int = 100) -> dict:
    out = {"md5": HashValue("md5", md5)}
    if pdq:
        out["pdq"] = HashValue("pdq", pdq, quality)
    return out


def test_distance_threshold_is_inclusive_and_configurable() -> None:
    listed = HashList("L", [HashEntry("pdq", _flip_bits(PDQ, 31), "A")])
    assert [m.distance for m in Matcher([listed]).match(_hashes()).matches] == [31]
    listed32 = HashList("L", [HashEntry("pdq", _flip_bits(PDQ, 32), "A")])
    assert Matcher([listed32]).match(_hashes()).matches == []
    assert len(Matcher([listed32], distance=40).match(_hashes()).matches) == 1


def test_low_quality_is_not_matched_perceptually() -> None:
    m = Matcher([HashList("L", [HashEntry("pdq", PDQ, "A"), HashEntry("md5", MD5, "A")])])
    assert m.match(_hashes(quality=49)).matches == []
    # ... but the exact hash of the same low-quality file still matches.
    assert [x.hash_type for x in m.match(_hashes(md5=MD5, quality=10)).matches] == ["md5"]


def test_several_lists_each_match_names_its_list_and_category() -> None:
    a = HashList("caid", [HashEntry("md5", MD5, "A")])
    b = HashList("vic", [HashEntry("md5", MD5, "1"), HashEntry("pdq", PDQ, "2")])
    got = {(m.list, m.hash_type, m.category) for m in Matcher([a, b]).match(_hashes(md5=MD5)).matches}
    assert got == {("caid", "md5", "A"), ("vic", "md5", "1"), ("vic", "pdq", "2")}


def test_ignore_lists() -> None:
    known = HashList("known", [HashEntry("md5", MD5, "A"), HashEntry("pdq", PDQ, "A")])
    exact_ignore = HashList("os-files", [HashEntry("md5", MD5, "")], ignore=True)
    out = Matcher([known, exact_ignore]).match(_hashes(md5=MD5))
    assert out.matches == [] and out.ignored_by == ["os-files"]
    # A perceptual hit on an ignore list hides perceptual matches only, never exact ones.
    near_ignore = HashList("memes", [HashEntry("pdq", _flip_bits(PDQ, 3), "")], ignore=True)
    out = Matcher([known, near_ignore]).match(_hashes(md5=MD5))
    assert [(m.list, m.hash_type) for m in out.matches] == [("known", "md5")]
    assert out.ignored_by == ["memes"]


def test_flip_found_only_with_dihedral_hashes(tmp_path) -> None:
    make_image(21).save(tmp_path / "orig.png")
    mirror(make_image(21)).save(tmp_path / "flipped.png")
    orig = hash_file(tmp_path / "orig.png")
    listed = HashList("L", [HashEntry("pdq", orig.value("pdq"), "A")])
    plain = hash_file(tmp_path / "flipped.png")
    assert Matcher([listed]).match(plain.hashes, plain.pdq_variants).matches == []
    flipped = hash_file(tmp_path / "flipped.png", dihedral=True)
    assert len(flipped.pdq_variants) == 7
    hits = Matcher([listed], dihedral=True).match(flipped.hashes, flipped.pdq_variants).matches
    assert len(hits) == 1 and hits[0].distance <= 31


def test_save_and_load_round_trip_without_pickle(tmp_path) -> None:
    lists = [
        HashList("L", [HashEntry("md5", MD5, "A"), HashEntry("pdq", PDQ, "B")]),
        HashList("ok", [HashEntry("sha1", "aa" * 20, "")], ignore=True),
    ]
    m = Matcher(lists)
    path = tmp_path / "index.npz"
    m.save(path)
    loaded = Matcher.load(path)
    query = _hashes(md5=MD5, pdq=_flip_bits(PDQ, 4))
    assert [x.to_json() for x in loaded.match(query).matches] == [x.to_json() for x in m.match(query).matches]
    assert loaded.match({"sha1": HashValue("sha1", "aa" * 20)}).ignored_by == ["ok"]
    # A damaged file is refused, not trusted.
    data = np.load(path)
    arrays = {k: data[k] for k in data.files}
    arrays["pdq/codes"] = arrays["pdq/codes"].copy()
    arrays["pdq/codes"][0, 0] ^= 1
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="checksum"):
        Matcher.load(tmp_path / "bad.npz")
