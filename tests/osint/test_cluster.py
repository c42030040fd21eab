"""Ad linking on short ads written for the tests: contacts, photos, templates, same result on every runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heroes.cli import app
from heroes.core.fanout import InlineFanOut, ProcessFanOut
from heroes.osint.ads import Ad, BadInput, parse_jsonl
from heroes.osint.cluster import ClusterParams, cluster_ads
from heroes.osint.evaluate import pairwise, tfidf_components

TEMPLATE = (
    "Hello, my name is {name} and I cook and clean homes in {city}. I am {age} and honest. "
    "Ask me for a fair price today."
)
OTHER = [
    "Garden work on weekends with my own tools, call for a quote in spring or summer, thank you.",
    "Math lessons for school children by a retired teacher, every afternoon, small groups only.",
    "Selling a blue bicycle in good shape with new tyres and lights, collect it in person this week.",
]


def make_ads() -> list[Ad]:
    ads = [
        Ad(f"t{i}", "Home help", city, 30 + i, TEMPLATE.format(name=name, city=city, age=30 + i))
        for i, (name, city) in enumerate(
            [("Ana", "Madrid"), ("Rosa", "Toledo"), ("Lucia", "Sevilla"), ("Eva", "Cadiz")]
        )
    ]
    ads += [Ad(f"o{i}", "Offer", "Lugo", None, text) for i, text in enumerate(OTHER)]
    ads.append(Ad("p1", "Call", "Denver", None, "Short note. Call five five five two one two three four five six."))
    ads.append(Ad("p2", "Phone", "Boston", None, "Different words here, phone (555) 212-3456 any time."))
    pdq = "f" * 32 + "0" * 32
    near = "f" * 31 + "e" + "0" * 32  # one bit away
    ads.append(Ad("i1", "Photo", "Lugo", None, "A picture of my garden.", image_hashes=(pdq,)))
    ads.append(Ad("i2", "Photo", "Lugo", None, "A picture of flowers.", image_hashes=(near,)))
    return ads


def by_id(result_rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(r["id"]): r for r in result_rows}


def test_links_by_template_contact_and_photo() -> None:
    result = cluster_ads(make_ads())
    rows = by_id(result.rows())
    assert len({rows[f"t{i}"]["cluster"] for i in range(4)}) == 1
    assert len({rows[f"o{i}"]["cluster"] for i in range(3)} | {rows["t0"]["cluster"]}) == 4
    assert rows["p1"]["cluster"] == rows["p2"]["cluster"]
    assert rows["p1"]["reasons"] == ["phone:+15552123456"]
    assert rows["i1"]["cluster"] == rows["i2"]["cluster"] != rows["o0"]["cluster"]
    assert any(str(r).startswith("template:") for r in rows["t0"]["reasons"])  # type: ignore[attr-defined]


def test_template_has_slots_for_what_varies() -> None:
    result = cluster_ads(make_ads())
    template = result.templates[result.cluster[0]]
    slot_values = {v for slot in template.slots for value in slot for v in value.split()}
    assert {"ana", "rosa", "lucia", "eva"} <= slot_values
    assert {"madrid", "toledo"} <= slot_values
    fixed = [p for p in template.parts if isinstance(p, str)]
    assert "cook" in fixed and "honest" in fixed and "ana" not in fixed


def test_template_is_refined_over_the_whole_group() -> None:
    from heroes.osint.templates_align import template_of

    ads = [
        "hello i am ana urgent new in lugo i cook and clean call me",  # the base: "urgent" is its own word
        "hello i am rosa new in vigo i cook kind and clean call me",
        "hi i am lucia new in leon i cook kind and clean call me",
        "hello i am eva new in lugo i cook kind and clean call me now",
    ]
    words = [a.split() for a in ads]
    template = template_of(words, base=0)
    fixed = [p for p in template.parts if isinstance(p, str)]
    # "kind" is in three of four ads though not in the base; "urgent" is in the base only
    assert fixed == ["hello", "i", "am", "new", "in", "i", "cook", "kind", "and", "clean", "call", "me"]
    assert template.slots == [["ana urgent", "rosa", "lucia", "eva"], ["lugo", "vigo", "leon"], ["now"]]
    assert template.members == 4
    for base in range(4):  # the consensus does not depend on which ad opens the alignment
        assert [p for p in template_of(words, base).parts if isinstance(p, str)] == fixed
    single = template_of([words[0]])
    assert single.parts == words[0] and single.slots == []


def test_text_links_can_be_switched_off() -> None:
    result = cluster_ads(make_ads(), ClusterParams(use_text=False))
    assert len({result.cluster[i] for i in range(4)}) == 4


def test_same_result_on_process_pool() -> None:
    ads = make_ads()
    inline = cluster_ads(ads, ClusterParams(seed=7), InlineFanOut())
    with ProcessFanOut(workers=2) as fan:
        pooled = cluster_ads(ads, ClusterParams(seed=7), fan)
    assert pooled.rows() == inline.rows()


@pytest.mark.slow
def test_same_result_on_ray(local_ray: None) -> None:
    from heroes.core.fanout import get_fanout

    ads = make_ads()
    inline = cluster_ads(ads, ClusterParams(seed=7), InlineFanOut())
    with get_fanout("ray") as fan:
        remote = cluster_ads(ads, ClusterParams(seed=7), fan)
    assert remote.rows() == inline.rows()


def test_pairwise_scores() -> None:
    scores = pairwise(["a", "a", "a", "b"], ["x", "x", "y", "y"])
    assert (scores.predicted_pairs, scores.true_pairs, scores.correct_pairs) == (3, 2, 1)
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == pytest.approx(0.5)


def test_tfidf_baseline_links_near_copies() -> None:
    labels = tfidf_components(["the red car is fast", "the red car is fast!", "a quiet blue lake"], 0.9)
    assert labels[0] == labels[1] != labels[2]


def test_malformed_lines_are_named() -> None:
    with pytest.raises(BadInput, match="line 2"):
        list(parse_jsonl(['{"id": "a"}', "{not json", '{"id": "b"}'], "ads.jsonl"))
    with pytest.raises(BadInput, match=r"line 3.*already"):
        list(parse_jsonl(['{"id": "a"}', "", '{"id": "a"}'], "ads.jsonl"))
    with pytest.raises(BadInput, match=r"line 1.*id"):
        list(parse_jsonl(['{"title": "no id"}'], "ads.jsonl"))


def test_cli_cluster_writes_one_line_per_ad(tmp_path: Path) -> None:
    source = tmp_path / "ads.jsonl"
    source.write_text("\n".join(json.dumps(a.to_json()) for a in make_ads()) + "\n", encoding="utf-8")
    out, templates = tmp_path / "out.jsonl", tmp_path / "templates.jsonl"
    result = CliRunner().invoke(app, ["osint", "cluster", str(source), "-o", str(out), "--templates", str(templates)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [a.id for a in make_ads()]
    assert set(rows[0]) == {"id", "cluster", "reasons"}
    assert json.loads(templates.read_text().splitlines()[0])["ads"] == ["t0", "t1", "t2", "t3"]
