"""Pages under /fakejobs and the API under /api/fakejobs: thin layers over the engine.

The public check keeps nothing: the ad is scored in memory and shown back. The staff batch runs
as a background job; the uploaded file is deleted once scored and only the scores are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from heroes.core import i18n, jobs
from heroes.core.auth import Principal, Public, Require
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.web.middleware import body_limit
from heroes.core.web.templating import render
from heroes.fakejobs.batch import FORMATS
from heroes.fakejobs.jobs import KIND
from heroes.fakejobs.numbers import DECIMAL_COMMA, format_number, format_percent

if TYPE_CHECKING:
    from heroes.fakejobs.engine import Verdict

BATCH = "fakejobs:batch"
MAX_AD = 200_000  # a whole posting with its company profile; longer input is refused with a message
MAX_UPLOAD = 50 * 1024 * 1024
body_limit("/fakejobs/batch", MAX_UPLOAD + 1024 * 1024)

router = APIRouter()
Staff = Annotated[Principal, Depends(Require(BATCH))]


# --- API models -----------------------------------------------------------------------------


class AdIn(BaseModel):
    """One ad: its plain `text`, or its fields (give at least one)."""

    text: str = Field(default="", max_length=MAX_AD, description="The whole ad as plain text.")
    title: str = Field(default="", max_length=1000)
    company: str = Field(default="", max_length=MAX_AD, description="Company name or profile.")
    location: str = Field(default="", max_length=1000, description='e.g. "US, NY, New York" or "Madrid, Spain".')
    salary: str = Field(default="", max_length=1000)
    description: str = Field(default="", max_length=MAX_AD, description="What the classifier scores.")
    requirements: str = Field(default="", max_length=MAX_AD)
    benefits: str = Field(default="", max_length=MAX_AD)
    contact: str = Field(default="", max_length=2000, description="E-mail, phone or messaging contact.")
    url: str = Field(default="", max_length=2000)
    language: Literal["en", "es"] | None = Field(default=None, description="Language of the ad; detected if absent.")
    lang: Literal["en", "es"] | None = Field(
        default=None, description="Language of the explanations; default: the request's language."
    )


class MatchOut(BaseModel):
    start: int = Field(description="Character offset in `text` of the verdict.")
    end: int
    text: str


class IndicatorOut(BaseModel):
    id: str
    category: Literal["scam", "trafficking", "contact"]
    weight: float
    title: str
    explanation: str
    why: str
    source: str
    matches: list[MatchOut]


class HelplineOut(BaseModel):
    name: str
    contact: str


class TermOut(BaseModel):
    term: str
    weight: float


class SentenceOut(BaseModel):
    text: str
    start: int
    end: int
    weight: float


class HighlightOut(BaseModel):
    start: int
    end: int
    indicators: list[str]


class VerdictOut(BaseModel):
    score: float = Field(
        ge=0, le=1, description="Calibrated probability of fraud (development base rate): learned model and indicators."
    )
    label: Literal[0, 1] = Field(description="1 when score reaches the decision threshold stored with the model.")
    threshold: float = Field(description="The stored threshold used for this ad's language route.")
    probability_at_base_rate: float = Field(
        description="The same evidence as a probability where `base_rate` of the ads are fraudulent."
    )
    base_rate: float
    level: Literal["low", "medium", "high"]
    language: str = Field(description="Language of the ad (given or detected).")
    classifier_probability: float | None = Field(
        description="Calibrated probability of the text classifier (English ads)."
    )
    indicators: list[IndicatorOut]
    top_terms: list[TermOut] = Field(description="Words of the description that raised the classifier's score most.")
    top_sentences: list[SentenceOut] = Field(description="Sentences that pushed the learned score most towards fraud.")
    advice: list[str]
    helplines: list[HelplineOut]
    report_url: str
    report_label: str
    text: str = Field(description="The text that was analysed; offsets point into it.")
    highlights: list[HighlightOut]


def _run(ad: Any, lang: str | None) -> Verdict:
    from heroes.fakejobs.engine import AdError, check  # scikit-learn loads on the first check, not at start-up

    try:
        return check(ad, lang=lang or i18n.get_language())
    except AdError as exc:
        raise HeroesError(str(exc)) from exc


@router.post("/api/fakejobs/check", tags=["fakejobs"], response_model=VerdictOut)
def check_api(body: AdIn, user: Public) -> dict[str, Any]:
    """Check one job ad: risk score and level, the warning signs with the words that triggered
    them (character offsets into `text`), the classifier's strongest terms and advice."""
    fields = body.model_dump(exclude={"lang"}, exclude_none=True)
    return _run(fields, body.lang).to_dict()


# --- public page ----------------------------------------------------------------------------


def segments(text: str, highlights: list[dict[str, Any]], titles: dict[str, str]) -> list[dict[str, Any]]:
    """The text cut into plain and marked pieces, for highlighting without JavaScript."""
    pieces: list[dict[str, Any]] = []
    position = 0
    for h in highlights:
        if h["start"] > position:
            pieces.append({"text": text[position : h["start"]], "mark": False})
        pieces.append(
            {"text": text[h["start"] : h["end"]], "mark": True, "title": "; ".join(titles[i] for i in h["indicators"])}
        )
        position = h["end"]
    if position < len(text):
        pieces.append({"text": text[position:], "mark": False})
    return pieces


@router.get("/fakejobs", include_in_schema=False)
def check_form(request: Request, user: Public) -> Response:
    return render(request, "fakejobs/check.html", {"ad": "", "verdict": None})


@router.post("/fakejobs", include_in_schema=False)
def check_page(request: Request, user: Public, text: Annotated[str, Form()] = "") -> Response:
    if len(text) > MAX_AD:
        limit = f"{MAX_AD:,}".replace(",", "." if i18n.get_language() in DECIMAL_COMMA else ",")
        message = _("The ad is longer than %(n)s characters: paste its first part.", n=limit)
        return render(request, "fakejobs/check.html", {"ad": "", "verdict": None, "error": message}, 413)
    if not text.strip():
        return render(
            request,
            "fakejobs/check.html",
            {"ad": text, "verdict": None, "error": _("Paste the text of the ad first.")},
            400,
        )
    verdict = _run(text, None)
    titles = {item.id: item.title for item in verdict.indicators}
    lang = i18n.get_language()
    shown = {
        "score": format_number(verdict.score, lang),
        "probability": format_percent(verdict.probability_at_base_rate, lang),
        "base_rate": format_percent(verdict.base_rate, lang),
    }
    return render(
        request,
        "fakejobs/check.html",
        {
            "ad": text,
            "verdict": verdict,
            "shown": shown,
            "segments": segments(verdict.text, verdict.highlights, titles),
        },
    )


# --- staff batch ----------------------------------------------------------------------------


@router.get("/fakejobs/batch", include_in_schema=False)
def batch_form(request: Request, user: Staff) -> Response:
    return render(request, "fakejobs/batch.html", {})


@router.post("/fakejobs/batch", include_in_schema=False)
def batch_submit(user: Staff, file: Annotated[UploadFile, File()]) -> Response:
    name = Path(file.filename or "").name
    if Path(name).suffix.lower() not in FORMATS:
        raise HeroesError(_("Upload a .jsonl or .csv file."))
    data = file.file.read(MAX_UPLOAD + 1)  # sync route: the thread pool, not the event loop
    if len(data) > MAX_UPLOAD:
        raise HeroesError(_("The file is larger than %(n)d MB.", n=MAX_UPLOAD // 2**20), 413)
    if not data.strip():
        raise HeroesError(_("The file is empty."))
    stored = "input" + Path(name).suffix.lower()

    def prepare(folder: Path) -> None:
        (folder / stored).write_bytes(data)

    job_id = jobs.submit(KIND, {"input": stored}, owner=user, prepare=prepare)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
