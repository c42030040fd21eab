"""A conversation report as readable text (for the terminal and plain-text export)."""

from __future__ import annotations

from heroes.core.i18n import gettext as _
from heroes.grooming.analysis import Report

BARS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int = 60) -> str:
    if not values:
        return ""
    step = max(1, -(-len(values) // width))
    buckets = [max(values[i : i + step]) for i in range(0, len(values), step)]
    return "".join(BARS[min(int(v * (len(BARS) - 1) + 0.5), len(BARS) - 1)] for v in buckets)


def level_words(level: str) -> str:
    """The report's level in the words the pages use."""
    return {
        "low": _("No warning signs seen"),
        "elevated": _("Some signs: keep an eye on this chat"),
        "high": _("Warning: this chat shows several signs of grooming"),
    }[level]


def render_text(report: Report) -> str:
    lines = [
        _(
            "Conversation %(id)s: %(n)d messages, participants: %(who)s",
            id=report.conversation,
            n=report.messages,
            who=", ".join(report.participants),
        ),
        level_words(report.level)
        + " "
        + _(
            "(model risk %(score).2f, model warning threshold %(t).2f)",
            score=report.score,
            t=report.threshold,
        ),
    ]
    if report.alert_at is not None:
        lines.append(_("First warning at message %(i)d.", i=report.alert_at + 1))
    else:
        lines.append(_("No warning was raised."))
    if report.riskiest_author:
        lines.append(_("The risk comes mostly from: %(a)s", a=report.riskiest_author))
    lines.append(_("Risk over time:") + " " + sparkline(report.risk_over_time))
    lines.append("")
    lines.append(_("Participants"))
    for a in report.authors:
        lines.append(
            "  "
            + _(
                "%(a)s: %(n)d messages, sustained risk %(p).2f, now %(r).2f",
                a=a.author,
                n=a.messages,
                p=a.peak,
                r=a.risk,
            )
        )
    lines.append("")
    if report.stages:
        lines.append(_("Grooming stages found"))
        for st in report.stages:
            lines.append(f"  {st.name}: {st.description}")
            for ev in st.evidence[:5]:
                lines.append(f'    #{ev["index"] + 1} {ev["author"]}: "{ev["snippet"]}"')
                lines.append(f"        {ev['explanation']}")
            if len(st.evidence) > 5:
                lines.append("    " + _("… and %(n)d more", n=len(st.evidence) - 5))
    else:
        lines.append(_("No grooming stage cues were found."))
    if report.model_terms:
        lines.append(_("Words that weighed most in the model's score:") + " " + ", ".join(report.model_terms))
    lines.append("")
    lines.append(_("What to do next:") + " " + report.advice)
    lines.extend(report.warnings)
    return "\n".join(lines)
