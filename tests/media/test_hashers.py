import hashlib

import pytest

from heroes.media.hashers import HASHERS, HashError, get_hasher
from heroes.media.scan import hash_file
from tests.media.synthetic import flat_image, make_image


def test_registry_holds_every_type_once() -> None:
    assert set(HASHERS) == {"md5", "sha1", "sha256", "pdq", "vpdq"}
    assert get_hasher("SHA1").name == "sha1"
    with pytest.raises(HashError, match="unknown hash type"):
        get_hasher("photodna")


def test_streaming_hashes_equal_hashlib(tmp_path) -> None:
    path = tmp_path / "a.png"
    make_image(5).save(path)
    data = path.read_bytes()
    result = hash_file(path)
    assert result.value("md5") == hashlib.md5(data).hexdigest()
    assert result.value("sha1") == hashlib.sha1(data).hexdigest()
    assert result.value("sha256") == hashlib.sha256(data).hexdigest()
    assert result.size == len(data) and result.type == "image"


def test_pdq_is_stable_and_distinct(tmp_path) -> None:
    make_image(7).save(tmp_path / "a.png")
    make_image(7).save(tmp_path / "b.bmp")
    make_image(8).save(tmp_path / "c.png")
    a, b, c = (hash_file(tmp_path / n) for n in ("a.png", "b.bmp", "c.png"))
    assert a.value("pdq") == b.value("pdq")  # same pixels, other container
    assert a.value("md5") != b.value("md5")
    pa, pc = int(a.value("pdq"), 16), int(c.value("pdq"), 16)
    assert (pa ^ pc).bit_count() > 64
    assert a.hashes["pdq"].quality >= 50


def test_pdq_agrees_with_threatexchange(tmp_path) -> None:
    pdq_hasher = pytest.importorskip("threatexchange.signal_type.pdq.pdq_hasher")
    path = tmp_path / "a.png"
    make_image(11).save(path)
    expected, quality = pdq_hasher.pdq_from_file(path)
    result = hash_file(path)
    assert result.value("pdq") == expected
    assert result.hashes["pdq"].quality == quality


def test_flat_picture_has_low_quality(tmp_path) -> None:
    flat_image().save(tmp_path / "grey.png")
    assert hash_file(tmp_path / "grey.png").hashes["pdq"].quality < 50


@pytest.mark.parametrize(
    ("kind", "value"),
    [("md5", "abc"), ("sha1", "z" * 40), ("sha256", "0" * 63), ("pdq", "g" * 64)],
)
def test_normalize_rejects_malformed_values(kind: str, value: str) -> None:
    with pytest.raises(HashError):
        HASHERS[kind].normalize(value)


def test_normalize_lowercases() -> None:
    assert HASHERS["md5"].normalize(" D41D8CD98F00B204E9800998ECF8427E ") == "d41d8cd98f00b204e9800998ecf8427e"


def test_registries_refuse_a_second_entry_of_the_same_name() -> None:
    from heroes.media.hashers import DuplicateHasher, Md5Hasher, register
    from heroes.media.hashlists import DuplicateImporter, PlainCsvImporter
    from heroes.media.hashlists import register as register_format

    with pytest.raises(DuplicateHasher, match="'md5'"):
        register(Md5Hasher)
    with pytest.raises(DuplicateImporter, match="'csv'"):
        register_format(PlainCsvImporter)


def test_a_new_hash_type_is_one_class(tmp_path) -> None:
    """A byte hash registered from outside: lists accept it, scans compute it, the matcher matches it."""
    import hashlib

    from heroes.media.engine import build_matcher, load_lists
    from heroes.media.hashers import Digest, StreamingHasher, register
    from heroes.media.scan import read_results, scan

    @register
    class Blake2Hasher(StreamingHasher):
        name = "test-blake2s"
        digest_size = 32

        def start(self) -> Digest:
            return hashlib.blake2s()

    try:
        target = tmp_path / "files" / "a.txt"
        target.parent.mkdir()
        target.write_bytes(b"some bytes")
        listed = tmp_path / "list.csv"
        listed.write_text(f"test-blake2s,{hashlib.blake2s(b'some bytes').hexdigest()},X\n", encoding="utf-8")
        out = tmp_path / "r.jsonl"
        scan([target.parent], out, build_matcher(load_lists([str(listed)])))
        (row,) = read_results(out)
        assert row["test-blake2s"] == hashlib.blake2s(b"some bytes").hexdigest()
        assert [(m["hash_type"], m["distance"]) for m in row["matches"]] == [("test-blake2s", 0)]
    finally:
        HASHERS.remove("test-blake2s")  # type: ignore[attr-defined]
