import json

import pytest

from heroes.media.hashlists import IMPORTERS, ListFormatError, load_list, parse_list

MD5_A = "0cc175b9c0f1b6a831c399e269772661"
MD5_B = "92eb5ffee6ae2fec3ad71c777531578f"
SHA1_A = "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"
PDQ_A = "f" * 32 + "0" * 32


def test_registry_lists_every_format() -> None:
    assert set(IMPORTERS) == {"csv", "caid", "ncmec", "vics"}


def test_plain_csv_with_header_label_and_bad_rows(tmp_path) -> None:
    path = tmp_path / "national.csv"
    path.write_text(
        "hash_type,hash,category,label\n"
        f"md5,{MD5_A.upper()},A,first\n"
        "\n"
        f"pdq,{PDQ_A},B\n"
        "md5,nothex,A\n"  # line 5: bad value
        "crc32,1234,A\n"  # line 6: unknown type
        "md5\n"  # line 7: too few columns
        f"sha1,{SHA1_A},C,x\n",
        encoding="utf-8",
    )
    hl = load_list(path)
    assert hl.format == "csv" and hl.name == "national"
    assert [(e.hash_type, e.value, e.category, e.label, e.line) for e in hl.entries] == [
        ("md5", MD5_A, "A", "first", 2),
        ("pdq", PDQ_A, "B", "", 4),
        ("sha1", SHA1_A, "C", "x", 8),
    ]
    assert [e.line for e in hl.errors] == [5, 6, 7]
    assert "crc32" in hl.errors[1].message and "columns" in hl.errors[2].message


def test_caid_style_csv_one_entry_per_hash_column(tmp_path) -> None:
    path = tmp_path / "caid.csv"
    path.write_text(
        "CAID ID,MD5,SHA1,Grade,Notes\n"
        f"101,{MD5_A},{SHA1_A},A,\n"
        f"102,{MD5_B},,C,seen before\n"
        "103,,,B,\n"  # no hash at all
        f"104,{MD5_B},B\n",  # wrong column count
        encoding="utf-8",
    )
    hl = load_list(path)
    assert hl.format == "caid"
    assert [(e.hash_type, e.category, e.label) for e in hl.entries] == [
        ("md5", "A", "101"),
        ("sha1", "A", "101"),
        ("md5", "C", "102"),
    ]
    assert hl.entries[2].metadata["Notes"] == "seen before"
    assert [(e.line, "no hash" in e.message) for e in hl.errors] == [
        (4, True),
        (5, False),
    ]


def test_ncmec_style_csv(tmp_path) -> None:
    path = tmp_path / "ncmec.csv"
    path.write_text(
        f"Hash ID,MD5,PDQ,Classification\nn-1,{MD5_A},{PDQ_A},A1\nn-2,{MD5_B},abc,B2\n",
        encoding="utf-8",
    )
    hl = load_list(path)
    assert hl.format == "ncmec"
    assert [(e.hash_type, e.category, e.label) for e in hl.entries] == [
        ("md5", "A1", "n-1"),
        ("pdq", "A1", "n-1"),
        ("md5", "B2", "n-2"),
    ]
    assert [e.line for e in hl.errors] == [3]


def _vics_1(media: list) -> dict:
    return {
        "odata.metadata": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/1.3.xml/CUSTOM/$metadata#Cases",
        "value": [{"CaseNumber": "T-1", "Media": media}],
    }


def test_vics_1x_cases_with_media(tmp_path) -> None:
    doc = _vics_1(
        [
            {
                "MediaID": 7,
                "Category": 1,
                "MD5": MD5_A.upper(),
                "SHA1": SHA1_A,
                "Series": "S-9",
                "VictimIdentified": True,
                "MediaSize": 42,
                "Exifs": [],
            },
            {"MediaID": 8, "Category": 0, "MD5": "XYZ"},
            {"MediaID": 9, "Category": 2},
        ]
    )
    path = tmp_path / "vics1.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    hl = load_list(path)
    assert hl.format == "vics"
    assert [(e.hash_type, e.value, e.category, e.label) for e in hl.entries] == [
        ("md5", MD5_A, "1", "7"),
        ("sha1", SHA1_A, "1", "7"),
    ]
    meta = hl.entries[0].metadata
    assert meta["Series"] == "S-9" and meta["VictimIdentified"] is True and meta["MediaSize"] == 42
    assert "Exifs" not in meta
    # Errors point at the line where each broken Media object starts.
    lines = path.read_text().splitlines()
    assert [lines[e.line - 1].strip() for e in hl.errors] == ["{", "{"]
    assert hl.errors[0].line < hl.errors[1].line
    assert "not a md5 hash" in hl.errors[0].message
    assert "without MD5" in hl.errors[1].message


def test_vics_2_flat_media(tmp_path) -> None:
    doc = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/CUSTOM/$metadata#Media",
        "value": [{"MediaID": 1, "Category": 3, "MD5": MD5_B, "IsPrecategorized": "true"}],
    }
    hl = parse_list(json.dumps(doc), "vics2")
    assert [(e.hash_type, e.category, e.metadata["IsPrecategorized"]) for e in hl.entries] == [("md5", "3", "true")]


def test_whole_file_problems_are_clear(tmp_path) -> None:
    with pytest.raises(ListFormatError, match="cannot tell"):
        parse_list("just words\n", "x")
    with pytest.raises(ListFormatError, match="line 2"):
        parse_list('{"odata.metadata": "x",\n "value": [}', "x")
    with pytest.raises(ListFormatError, match="value"):
        parse_list('{"odata.metadata": "x"}', "x")
    with pytest.raises(ListFormatError, match="unknown list format"):
        parse_list("md5,x,y", "x", fmt="excel")
    with pytest.raises(ListFormatError, match="cannot read"):
        load_list(tmp_path / "missing.csv")
