import json

from heroes.media.export import to_vics, write_vics
from heroes.media.hashlists import HashEntry, HashList, load_list
from heroes.media.matcher import Matcher
from heroes.media.scan import hash_file, read_results, scan


def test_vics_export_groups_duplicates_and_reimports(evidence_folder, tmp_path) -> None:
    one = hash_file(evidence_folder / "one.jpg")
    listed = HashList("vic", [HashEntry("md5", one.value("md5"), "1")])
    results = tmp_path / "r.jsonl"
    scan([evidence_folder], results, Matcher([listed]))
    out = tmp_path / "export.json"
    assert write_vics(read_results(results), str(out)) == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["@odata.context"].endswith("2.0.xml/CUSTOM/$metadata#Media")
    (media,) = doc["value"]
    assert media["MD5"] == one.value("md5").upper() and media["Category"] == 1
    assert sorted(f["FileName"] for f in media["MediaFiles"]) == [
        "copy-of-one.jpg",
        "one.jpg",
    ]
    # What we export, another instance imports as a list that finds the same file.
    again = load_list(out)
    assert again.format == "vics"
    assert {(e.hash_type, e.value, e.category) for e in again.entries} == {
        ("md5", one.value("md5"), "1"),
        ("sha1", one.value("sha1"), "1"),
    }


def test_all_files_export_and_non_numeric_category() -> None:
    rows = [
        {
            "path": "a/x.jpg",
            "size": 3,
            "md5": "aa" * 16,
            "sha1": "bb" * 20,
            "matches": [
                {
                    "list": "caid",
                    "hash_type": "md5",
                    "hash": "aa" * 16,
                    "category": "A",
                    "distance": 0,
                }
            ],
        },
        {
            "path": "a/y.jpg",
            "size": 4,
            "md5": "cc" * 16,
            "sha1": "dd" * 20,
            "matches": [],
        },
    ]
    doc = to_vics(rows, matched_only=False)
    assert [m["Category"] for m in doc["value"]] == [0, 0]
    assert doc["value"][0]["Comments"] == "caid:A:md5"
    assert [m["IsPrecategorized"] for m in doc["value"]] == [True, False]
