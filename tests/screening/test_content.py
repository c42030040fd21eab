"""The shipped data files: schema-valid, cross-referenced, both languages, sources; and a fifth
country is a data change only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from heroes.screening import engine
from heroes.screening.content import DATA_DIR, ContentError, data_files, get_content, load_content, validator


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(("path", "schema"), data_files(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_every_data_file_matches_its_schema(path: Path, schema: str) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [e.message for e in validator(schema).iter_errors(document)]
    assert errors == []


def test_shipped_content_loads_and_cross_checks() -> None:
    content = load_content()
    assert set(content.countries) >= {"BD", "CO", "ES", "GB"}
    assert content.country("UK").code == "GB"
    forms = {ind.form for ind in content.indicators.values()}
    assert forms == {f.id for f in content.forms}, "every form of exploitation has indicators"
    for sector in content.sectors:
        assert any(
            ind.applies("GB", sector.id, "adult") and sector.id in ind.sectors for ind in content.indicators.values()
        ), sector.id


def test_every_indicator_has_both_languages_and_a_known_source() -> None:
    content = get_content()
    for ind in content.indicators.values():
        assert ind.observe["en"].strip() and ind.observe["es"].strip(), ind.id
        assert ind.observe["en"] != ind.observe["es"], f"{ind.id}: Spanish is a copy of English"
        assert ind.sources and all(s in content.sources for s in ind.sources), ind.id


def test_the_helplines_named_in_the_issue_are_present_and_verified() -> None:
    services = get_content().services()
    expected = {
        "gb-msh": "08000 121 700",
        "gb-childline": "0800 1111",
        "es-trata-policia": "900 10 50 90",
        "es-anar-children": "900 20 20 10",
        "co-linea-trata": "01 8000 522020",
        "co-icbf-141": "141",
        "bd-999": "999",
        "bd-1098": "1098",
        "bd-109": "109",
    }
    for service_id, number in expected.items():
        assert number in [p.number for p in services[service_id].phones], service_id
        assert services[service_id].verified


def test_unsourced_entries_are_marked_unverified() -> None:
    services = get_content().services()
    assert services["co-fiscalia-denuncia"].verified is False
    assert all(s.sources for s in services.values())


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / "indicators" / "labour.yaml", lambda d: d["indicators"].append(dict(d["indicators"][0])))
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert any("duplicate indicator or danger-sign id: lab-wages-withheld" in p for p in caught.value.problems)


def test_a_missing_spanish_text_is_refused(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / "indicators" / "online.yaml", lambda d: d["indicators"][0]["observe"].pop("es"))
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert any("online.yaml" in p and "'es' is a required property" in p for p in caught.value.problems)


def test_an_indicator_without_a_source_is_refused(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / "indicators" / "domestic.yaml", lambda d: d["indicators"][0].update(sources=[]))
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert any("domestic.yaml" in p and "sources" in p for p in caught.value.problems)


def test_unknown_references_are_all_reported(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / "countries" / "GB.yaml", lambda d: d["referral"][0].update(service="gb-nowhere"))
    _edit(
        data / "indicators" / "sexual.yaml",
        lambda d: d["indicators"][0].update(sources=["no-such-source"], countries=["ZZ"]),
    )
    with pytest.raises(ContentError) as caught:
        load_content(data)
    problems = "\n".join(caught.value.problems)
    assert "points at unknown service 'gb-nowhere'" in problems
    assert "unknown source 'no-such-source'" in problems
    assert "unknown country 'ZZ'" in problems


def test_a_consent_branch_for_children_is_refused(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / "countries" / "ES.yaml", lambda d: d["referral"][0].update(consent="given"))
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert any("consent branch is for adults only" in p for p in caught.value.problems)


def test_a_fifth_country_is_a_data_change(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    source = yaml.safe_load((data / "countries" / "GB.yaml").read_text(encoding="utf-8"))
    text = (data / "countries" / "GB.yaml").read_text(encoding="utf-8").replace("gb-", "zz-")
    document = yaml.safe_load(text)
    document.update(code="ZZ", aliases=["ZZZ"], name={"en": "Testland", "es": "Tierra de prueba"})
    assert len(document["services"]) == len(source["services"])
    (data / "countries" / "ZZ.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    content = load_content(data)
    assert "ZZ" in content.countries
    checklist = engine.checklist("ZZZ", "health", child=False, content=content)
    assert checklist.country == "ZZ" and checklist.item_ids()
    result = engine.assess(
        engine.Answers(country="ZZ", observed=["gen-documents-held"], danger_now=True), content=content
    )
    assert result.safety_steps[0].service is not None and result.safety_steps[0].service.id == "zz-999"
    assert all(step.service and step.service.id.startswith("zz-") for step in result.referral_steps)


def test_a_country_file_must_be_named_after_its_code(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / "countries" / "GB.yaml").rename(data / "countries" / "UK.yaml")
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert any("file name must be the country code GB.yaml" in p for p in caught.value.problems)


def test_the_guide_has_the_six_dimensions_and_no_score() -> None:
    guide = get_content().guide
    assert [d.id for d in guide.dimensions] == [
        "tb-power-imbalance",
        "tb-intermittent",
        "tb-gratitude-self-blame",
        "tb-exploiter-perspective",
        "tb-loyalty",
        "tb-prior-trauma",
    ]
    guide_schema = validator("guide").schema
    assert guide_schema["additionalProperties"] is False and "score" not in guide_schema["properties"]
