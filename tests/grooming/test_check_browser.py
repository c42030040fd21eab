"""The parents' check in real Chromium: the chat is analysed on the device and never sent,
and the browser's scores equal the Python engine's on every test chat."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from heroes.grooming.conversation import Message
from heroes.grooming.cues import default_cues, load_cues_data
from heroes.grooming.stream import StreamAnalyser

from .conftest import GROOMING_CHAT, GROOMING_CHAT_ES, ORDINARY_CHAT, ORDINARY_CHAT_ES

DEVSET = Path(__file__).parents[2] / "benchmarks" / "grooming" / "devset"


def as_text(lines: list[tuple[str, str]]) -> str:
    return "\n".join(f"{a}: {t}" for a, t in lines)


def as_whatsapp(lines: list[tuple[str, str]]) -> str:
    head = "31/12/2025, 20:00 - Messages and calls are end-to-end encrypted.\n"
    return head + "".join(f"31/12/2025, 20:{i:02d} - {a}: {t}\n" for i, (a, t) in enumerate(lines, start=1))


def open_check(page: Any, lang: str = "en") -> list[Any]:
    """Open the check, wait for the model, then cut the network; returns the requests made after."""
    page.goto(f"/grooming/check?lang={lang}")
    page.wait_for_selector("#grooming-check[data-ready]", state="attached", timeout=30_000)
    later: list[Any] = []
    page.on("request", lambda request: later.append(request))
    page.context.set_offline(True)
    return later


def assert_nothing_sent(requests: list[Any], phrases: list[str]) -> None:
    assert requests == [], [r.url for r in requests]
    for r in requests:  # belt and braces: no request may carry the chat
        body = r.post_data or ""
        assert not any(p in r.url or p in body for p in phrases)


def test_english_chat_pasted_warns_offline_and_nothing_is_sent(page):
    sent = open_check(page)
    page.fill("[data-testid=chat-text]", as_text(GROOMING_CHAT))
    page.get_by_test_id("check").click()
    result = page.locator("[data-testid=result]")
    result.wait_for()
    assert result.get_attribute("data-level") == "warning"
    assert "Warning" in page.get_by_test_id("level").inner_text()
    warning = page.get_by_test_id("warning")
    # The box lists each stage as it was alerted, in words for parents, with the message number.
    box = warning.inner_text()
    assert "Asking the child to keep secrets" in box and "message" in box
    assert warning.locator("li").count() >= 2
    stages = page.get_by_test_id("stages").inner_text()
    assert "Checking whether the child is alone or watched by adults" in stages
    assert "#5" in stages  # "are your parents home?" is the 5th message
    advice = page.get_by_test_id("advice")
    assert "keep the evidence" in advice.inner_text()
    assert advice.locator("a[href='/reports/new']").count() == 1
    assert advice.locator("a[href='/grooming/guide']").count() == 1
    assert_nothing_sent(sent, ["parents home", "snapchat"])
    assert page.console_errors == []


def test_spanish_whatsapp_export_warns_in_spanish_offline(page, tmp_path):
    export = tmp_path / "Chat de WhatsApp con Leo.txt"
    export.write_text(as_whatsapp(GROOMING_CHAT_ES), "utf-8")
    sent = open_check(page, "es")
    page.set_input_files("[data-testid=chat-file]", str(export))
    page.get_by_test_id("check").click()
    page.locator("[data-testid=result]").wait_for()
    assert page.locator("[data-testid=result]").get_attribute("data-level") == "warning"
    assert "Aviso" in page.get_by_test_id("level").inner_text()
    box = page.get_by_test_id("warning").inner_text()
    assert "Pedir al menor que guarde secretos" in box
    stages = page.get_by_test_id("stages").inner_text()
    assert "Intentar quedar con el menor" in stages  # "¿quedamos el sábado en el parque?"
    assert "conserve las pruebas" in page.get_by_test_id("advice").inner_text()
    assert_nothing_sent(sent, ["padres", "quedamos"])


@pytest.mark.parametrize(("lines", "lang"), [(ORDINARY_CHAT, "en"), (ORDINARY_CHAT_ES, "es")])
def test_ordinary_chats_get_no_warning(page, lines, lang):
    open_check(page, lang)
    page.fill("[data-testid=chat-text]", as_text(lines))
    page.get_by_test_id("check").click()
    result = page.locator("[data-testid=result]")
    result.wait_for()
    assert result.get_attribute("data-level") in ("none", "watch")
    assert page.get_by_test_id("warning").count() == 0
    # The grandmother's photo of a drawing is not read as a request for a photo of the child.
    assert "photo" not in page.locator("[data-testid=results]").inner_text().lower()


def test_without_javascript_nothing_can_upload_the_chat(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server, locale="es-ES")
    try:
        tab = context.new_page()
        posts: list[Any] = []
        tab.on("request", lambda r: posts.append(r) if r.method != "GET" else None)
        tab.goto("/grooming/check?lang=es")
        assert "necesita JavaScript" in tab.content()
        assert tab.get_by_test_id("check").is_disabled()
        assert tab.locator("form[action], form[method=post]").count() == 0
        assert posts == []
    finally:
        context.close()


# --- parity: the browser computes what Python computes ------------------------------------------


def python_run(messages: list[dict[str, str]]) -> dict[str, Any]:
    an = StreamAnalyser()
    steps = [an.feed(Message(m["author"], m["text"])) for m in messages if m["text"].strip()]
    return {
        "risk": [s.risk for s in steps],
        "evidence": [s.evidence for s in steps],
        "language_risk": [s.language_risk for s in steps],
        "language": [s.language for s in steps],
        "warning": [s.warning for s in steps],
        "level": [s.level for s in steps],
        "cues": [s.cues for s in steps],
        "alerts": [vars(a) for a in an.alerts],
        "stages": {k: [vars(e) for e in v] for k, v in an.stages.items()},
    }


JS_RUN = """(chats) => {
  const model = window.__groomingModel;
  return chats.map((messages) => {
    const r = HeroesGrooming.analyse(model, messages);
    const stages = {};
    r.stages.forEach((s) => { stages[s.stage] = s.evidence; });
    return {
      risk: r.steps.map((s) => s.risk), evidence: r.steps.map((s) => s.evidence),
      language_risk: r.steps.map((s) => s.language_risk), language: r.steps.map((s) => s.language),
      warning: r.steps.map((s) => s.warning), level: r.steps.map((s) => s.level),
      cues: r.steps.map((s) => s.cues), alerts: r.alerts, stages: stages,
    };
  });
}"""


def test_check_and_python_give_the_same_numbers_on_every_test_chat(page):
    chats = [
        [{"author": a, "text": t} for a, t in lines]
        for lines in (GROOMING_CHAT, ORDINARY_CHAT, GROOMING_CHAT_ES, ORDINARY_CHAT_ES)
    ]
    chats += [json.loads(p.read_text("utf-8"))["messages"] for p in sorted(DEVSET.glob("*/*.json"))]
    assert len(chats) >= 100
    # Odd input too: emoji, accents, repeated letters, line breaks, other scripts, hex ids.
    chats.append(
        [
            {"author": "x", "text": "Holaaaaa 😀😀 ¿ESTÁS SOLA?\r\nñandú ÅNGSTRÖM straße ﬁne İstanbul"},
            {"author": "x", "text": "привет 你好 deadbeefdeadbeef00 it's\u2028our little secret"},
            {"author": "y", "text": "   "},
            {"author": "x", "text": "are your parents 🙂 home? send me a pic of you"},
        ]
    )
    page.goto("/grooming/check")
    page.wait_for_selector("#grooming-check[data-ready]", state="attached", timeout=30_000)
    page.evaluate(
        "(url) => HeroesGrooming.load(url).then((m) => { window.__groomingModel = m; })",
        page.locator("#grooming-check").get_attribute("data-model"),
    )
    js = page.evaluate(JS_RUN, chats)
    worst = 0.0
    learned = []  # the Spanish learned scores compared: the test must not pass by skipping them
    for messages, got in zip(chats, js, strict=True):
        want = python_run(messages)
        for key in ("risk", "evidence", "language_risk"):
            assert len(got[key]) == len(want[key])
            for a, b in zip(got[key], want[key], strict=True):
                worst = max(worst, abs(a - b))
        learned += [r for r, lang in zip(want["language_risk"], want["language"], strict=True) if lang == "es"]
        for key in ("warning", "level", "cues", "alerts", "stages", "language"):
            assert got[key] == want[key], (key, messages[:2])
    assert worst <= 1e-6
    assert len(learned) > 500 and max(learned) - min(learned) > 0.3


def test_every_cue_example_matches_the_same_cues_in_the_browser(page):
    sentences = sorted(
        {s for c in load_cues_data()["cues"] for ex in c["examples"].values() for s in ex["match"] + ex["miss"]}
    )
    page.goto("/grooming/check")
    page.wait_for_selector("#grooming-check[data-ready]", state="attached", timeout=30_000)
    got = page.evaluate(
        """([url, sentences]) => HeroesGrooming.load(url).then((m) =>
             sentences.map((s) => ({fold: HeroesGrooming.fold(s), cues: m.cues.find(s).map((h) => h.cue.id)})))""",
        [page.locator("#grooming-check").get_attribute("data-model"), sentences],
    )
    cues = default_cues()
    from heroes.grooming.cues import fold

    for s, g in zip(sentences, got, strict=True):
        assert g["fold"] == fold(s)
        assert g["cues"] == [h.cue.id for h in cues.find(s)], s


def test_telegram_export_is_read_in_the_browser(page, tmp_path):
    export = tmp_path / "result.json"
    messages = [{"id": 1, "type": "service", "action": "create_group"}]
    messages += [
        {"id": i + 2, "type": "message", "from": a, "text": [t[:4], {"type": "bold", "text": t[4:]}]}
        for i, (a, t) in enumerate(GROOMING_CHAT)
    ]
    export.write_text(json.dumps({"name": "Sam", "type": "personal_chat", "messages": messages}), "utf-8")
    sent = open_check(page)
    page.set_input_files("[data-testid=chat-file]", str(export))
    page.get_by_test_id("check").click()
    result = page.locator("[data-testid=result]")
    result.wait_for()
    assert result.get_attribute("data-level") == "warning"
    assert f"({len(GROOMING_CHAT)} messages)" in result.locator("h2").inner_text()
    assert_nothing_sent(sent, ["parents home"])
