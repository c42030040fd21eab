"""Courses and guides as data: load the YAML and Markdown files, check them, expose typed objects.

A course is a folder: `course.yaml` (settings, modules, questions, tests, every text in every language)
and one Markdown file per module and language (`<lang>/<module>.md`). A Markdown file is a list of
sections, each opened by `## Title {#section-id}` (`{#id .vignette}` for a case vignette); every
paragraph and list item cites at least one public source as `[@source-id]` (several: `[@a; @b]`),
resolved in `sources.yaml`. Every problem is reported with its file and line, all at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.i18n import localized

PACKAGE_CONTENT = Path(__file__).parent / "content"
QUESTION_TYPES = ("single", "multiple", "scenario")
KINDS = ("course", "guide")
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
HEADING = re.compile(r"^## (?P<title>.+?) \{#(?P<id>[^\s}]+)(?P<vignette> \.vignette)?\}\s*$")
CITATION = re.compile(r"\[@([^\]]+)\]")
# Untranslated text is caught by comparing languages; short labels (names, numbers) may legitimately agree.
MIN_WORDS_TO_COMPARE = 4

Text = Mapping[str, str]


class ContentError(HeroesError):
    """The content files are inconsistent; `problems` lists every problem as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("training content is invalid:\n  " + "\n  ".join(problems), status_code=500)
        self.problems = problems


def text_for(value: Text | None, lang: str) -> str:
    return localized(dict(value) if value else None, lang)


# --- YAML with line numbers -----------------------------------------------------------------


class _Map(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class _Seq(list[Any]):
    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class Problems:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: list[str] = []

    def add(self, path: Path, line: int, message: str) -> None:
        try:
            shown = path.relative_to(self.root)
        except ValueError:
            shown = path
        self.items.append(f"{shown}:{line}: {message}")


def _read_yaml(path: Path, problems: Problems) -> _Map | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.add(path, (mark.line + 1) if mark else 1, f"not valid YAML: {exc.problem or exc}")
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, 1, f"cannot be read: {exc}")
        return None
    if not isinstance(data, _Map):
        problems.add(path, 1, "must be a YAML mapping (key: value)")
        return None
    return data


# --- the objects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    id: str
    short: str
    title: str
    publisher: str
    year: int | None = None
    url: str | None = None


@dataclass(frozen=True)
class Option:
    id: str
    text: Text
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: Text
    options: tuple[Option, ...]
    feedback: Text
    sources: tuple[str, ...]
    scenario: Text | None = None

    @property
    def correct(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    def is_correct(self, given: Iterable[str]) -> bool:
        return frozenset(given) == self.correct


@dataclass(frozen=True)
class Block:
    """One paragraph or list item of a section, in Markdown, with the sources it cites."""

    markdown: str
    sources: tuple[str, ...]
    line: int
    list_item: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    vignette: bool
    title: Text
    blocks: Mapping[str, tuple[Block, ...]]  # language -> blocks

    def sources(self) -> list[str]:
        seen: dict[str, None] = {}
        for blocks in self.blocks.values():
            for block in blocks:
                seen.update(dict.fromkeys(block.sources))
        return list(seen)


@dataclass(frozen=True)
class Module:
    id: str
    title: Text
    sections: tuple[Section, ...]
    quiz: tuple[str, ...]


@dataclass(frozen=True)
class Course:
    id: str
    kind: str
    version: int
    audience: str
    title: Text
    summary: Text
    modules: tuple[Module, ...]
    questions: Mapping[str, Question]
    pre_test: tuple[str, ...] = ()
    post_test: tuple[str, ...] = ()
    pass_mark: int = 0
    validity_months: int = 0
    reminder_days: int = 0
    folder: Path = field(default=Path("."), compare=False)

    @property
    def is_guide(self) -> bool:
        return self.kind == "guide"

    def module(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise HeroesError(
            _("The course %(course)s has no module %(module)s.", course=self.id, module=module_id), status_code=404
        )

    def test(self, kind: str) -> tuple[Question, ...]:
        ids = {"pre": self.pre_test, "post": self.post_test}.get(kind)
        if ids is None:
            raise HeroesError(_("Unknown test %(kind)s; use pre or post.", kind=kind), status_code=404)
        return tuple(self.questions[q] for q in ids)

    def section_ids(self) -> list[str]:
        return [s.id for m in self.modules for s in m.sections]


@dataclass(frozen=True)
class Content:
    languages: tuple[str, ...]
    sources: Mapping[str, Source]
    courses: Mapping[str, Course]

    def course(self, course_id: str) -> Course:
        course = self.courses.get(course_id)
        if course is None:
            raise HeroesError(_("No course or guide named %(id)s.", id=course_id), status_code=404)
        return course

    def check_language(self, lang: str) -> str:
        return lang if lang in self.languages else self.languages[0]


# --- validation --------------------------------------------------------------------------------


def _line(mapping: Any, key: str | None = None) -> int:
    if isinstance(mapping, _Map):
        if key is not None and key in mapping.key_lines:
            return mapping.key_lines[key]
        return mapping.line
    return getattr(mapping, "line", 1)


class _Checker:
    def __init__(self, problems: Problems, languages: tuple[str, ...]) -> None:
        self.problems = problems
        self.languages = languages

    def text(self, path: Path, parent: Any, key: str, required: bool = True) -> dict[str, str] | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            if required:
                self.problems.add(path, _line(parent), f"missing {key!r} (a text in {', '.join(self.languages)})")
            return None
        if not isinstance(value, dict):
            self.problems.add(path, _line(parent, key), f"{key!r} must map languages to text, e.g. en: ..., es: ...")
            return None
        for extra in [k for k in value if k not in self.languages]:
            self.problems.add(
                path, _line(value, extra), f"{key!r} has an unknown language {extra!r} (quote texts with commas)"
            )
        for lang in self.languages:
            found = value.get(lang)
            if not isinstance(found, str) or not found.strip():
                self.problems.add(path, _line(value, lang), f"{key!r} has no {lang!r} text")
        for lang in self.languages[1:]:
            first, other = value.get(self.languages[0]), value.get(lang)
            if (
                isinstance(first, str)
                and isinstance(other, str)
                and len(first.split()) >= MIN_WORDS_TO_COMPARE
                and first.strip() == other.strip()
            ):
                self.problems.add(
                    path, _line(value, lang), f"{key!r} in {lang!r} is identical to {self.languages[0]!r}"
                )
        return {str(k): str(v) for k, v in value.items()}

    def identifier(self, path: Path, parent: Any, key: str = "id") -> str | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(value, str) or not ID.match(value):
            self.problems.add(path, _line(parent, key), f"{key!r} must be lower-case letters, digits and dashes")
            return None
        return value

    def integer(self, path: Path, parent: _Map, key: str, low: int, high: int) -> int:
        value = parent.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problems.add(path, _line(parent, key), f"{key!r} must be a whole number from {low} to {high}")
            return low
        return value

    def id_list(self, path: Path, parent: Any, key: str) -> tuple[str, ...]:
        value = parent.get(key, []) if isinstance(parent, dict) else []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.add(path, _line(parent, key), f"{key!r} must be a list of ids")
            return ()
        return tuple(value)


def _load_sources(path: Path, problems: Problems) -> tuple[tuple[str, ...], dict[str, Source]]:
    data = _read_yaml(path, problems)
    if data is None:
        return ("en", "es"), {}
    languages = data.get("languages", ["en", "es"])
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        problems.add(path, _line(data, "languages"), "'languages' must be a list such as [en, es]")
        languages = ["en", "es"]
    sources: dict[str, Source] = {}
    items = data.get("sources")
    if not isinstance(items, list):
        problems.add(path, _line(data), "missing the list 'sources'")
        return tuple(languages), sources
    check = _Checker(problems, tuple(languages))
    for item in items:
        source_id = check.identifier(path, item)
        if source_id is None:
            continue
        missing = [k for k in ("short", "title", "publisher") if not isinstance(item.get(k), str) or not item[k]]
        if missing:
            problems.add(path, _line(item), f"source {source_id!r} needs {', '.join(missing)}")
            continue
        if source_id in sources:
            problems.add(path, _line(item), f"source id {source_id!r} is used twice")
        url = item.get("url")
        if url is not None and not (isinstance(url, str) and url.startswith("https://")):
            problems.add(path, _line(item, "url"), "a source url must start with https://")
        year = item.get("year")
        sources[source_id] = Source(source_id, item["short"], item["title"], item["publisher"], year, url)
    return tuple(languages), sources


def _cited(text: str) -> list[str]:
    found: list[str] = []
    for group in CITATION.findall(text):
        found.extend(part.strip().lstrip("@").strip() for part in group.split(";"))
    return found


@dataclass
class _ParsedSection:
    id: str
    title: str
    vignette: bool
    line: int
    blocks: list[Block]


def parse_markdown(path: Path, problems: Problems, sources: Mapping[str, Source]) -> list[_ParsedSection]:
    """Split a module file into sections and blocks; every block must cite a known source."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, 1, f"cannot be read: {exc}")
        return []
    sections: list[_ParsedSection] = []
    pending: list[str] = []
    pending_line = 0
    pending_item = False

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        text = " ".join(part.strip() for part in pending)
        pending = []
        if not sections:
            problems.add(path, pending_line, "text before the first '## Title {#id}' heading")
            return
        cited = _cited(text)
        if not cited:
            problems.add(path, pending_line, "this statement cites no source; end it with [@source-id]")
        for source_id in cited:
            if source_id not in sources:
                problems.add(path, pending_line, f"unknown source {source_id!r} (not in sources.yaml)")
        sections[-1].blocks.append(Block(text, tuple(dict.fromkeys(cited)), pending_line, pending_item))

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line.startswith("#"):
            flush()
            match = HEADING.match(line)
            if not match:
                problems.add(path, number, "a heading must read '## Title {#section-id}' (or '{#id .vignette}')")
                continue
            section_id = match["id"]
            if not ID.match(section_id):
                problems.add(path, number, f"section id {section_id!r} must be lower-case letters, digits, dashes")
            if any(s.id == section_id for s in sections):
                problems.add(path, number, f"section id {section_id!r} is used twice")
            sections.append(_ParsedSection(section_id, match["title"], bool(match["vignette"]), number, []))
        elif not line.strip():
            flush()
        elif line.startswith("- "):
            flush()
            pending, pending_line, pending_item = [line[2:]], number, True
        elif pending:
            pending.append(line)
        else:
            pending, pending_line, pending_item = [line], number, False
    flush()
    if not sections:
        problems.add(path, 1, "no sections: start each with '## Title {#section-id}'")
    for section in sections:
        if not section.blocks:
            problems.add(path, section.line, f"section {section.id!r} is empty")
    return sections


def _load_questions(path: Path, data: _Map, check: _Checker, sources: Mapping[str, Source]) -> dict[str, Question]:
    questions: dict[str, Question] = {}
    items = data.get("questions", [])
    if not isinstance(items, list):
        check.problems.add(path, _line(data, "questions"), "'questions' must be a list")
        return questions
    for item in items:
        qid = check.identifier(path, item)
        if qid is None:
            continue
        if qid in questions:
            check.problems.add(path, _line(item), f"question id {qid!r} is used twice")
        qtype = item.get("type")
        if qtype not in QUESTION_TYPES:
            check.problems.add(path, _line(item, "type"), f"question {qid!r}: type must be one of {QUESTION_TYPES}")
        scenario = check.text(path, item, "scenario", required=qtype == "scenario")
        prompt = check.text(path, item, "prompt") or {}
        feedback = check.text(path, item, "feedback") or {}
        options: list[Option] = []
        raw_options = item.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            check.problems.add(path, _line(item, "options"), f"question {qid!r} needs at least two options")
            raw_options = []
        for raw in raw_options:
            oid = check.identifier(path, raw)
            text = check.text(path, raw, "text") or {}
            correct = raw.get("correct", False) if isinstance(raw, dict) else False
            if not isinstance(correct, bool):
                check.problems.add(path, _line(raw, "correct"), "'correct' must be true or false")
                correct = False
            if oid is not None:
                if any(o.id == oid for o in options):
                    check.problems.add(path, _line(raw), f"question {qid!r}: option id {oid!r} is used twice")
                options.append(Option(oid, text, correct))
        right = sum(o.correct for o in options)
        if options and qtype in ("single", "scenario") and right != 1:
            check.problems.add(path, _line(item), f"question {qid!r} ({qtype}) needs exactly one correct option")
        if options and qtype == "multiple" and right < 1:
            check.problems.add(path, _line(item), f"question {qid!r} (multiple) needs at least one correct option")
        cited = check.id_list(path, item, "sources")
        if not cited:
            check.problems.add(path, _line(item), f"question {qid!r} cites no source ('sources: [id]')")
        for source_id in cited:
            if source_id not in sources:
                check.problems.add(path, _line(item, "sources"), f"unknown source {source_id!r}")
        questions[qid] = Question(qid, str(qtype), prompt, tuple(options), feedback, cited, scenario)
    return questions


def _compare_languages(
    files: Mapping[str, Path], parsed: Mapping[str, list[_ParsedSection]], problems: Problems
) -> None:
    """Every language has the same sections, in the same order, with the same statements and citations."""
    languages = list(parsed)
    first = languages[0]
    for lang in languages[1:]:
        base, other = parsed[first], parsed[lang]
        base_ids, other_ids = [s.id for s in base], [s.id for s in other]
        if base_ids != other_ids:
            missing = [i for i in base_ids if i not in other_ids]
            extra = [i for i in other_ids if i not in base_ids]
            detail = (f"missing {missing}" if missing else "") + (f" extra {extra}" if extra else "")
            problems.add(
                files[lang], 1, f"sections differ from {first!r}: {detail.strip() or 'order differs'} ({base_ids})"
            )
            continue
        for a, b in zip(base, other, strict=True):
            if a.vignette != b.vignette:
                problems.add(files[lang], b.line, f"section {b.id!r}: '.vignette' differs from {first!r}")
            if len(a.blocks) != len(b.blocks):
                problems.add(
                    files[lang],
                    b.line,
                    f"section {b.id!r} has {len(b.blocks)} statements, {first!r} has {len(a.blocks)}",
                )
                continue
            for x, y in zip(a.blocks, b.blocks, strict=True):
                if set(x.sources) != set(y.sources):
                    problems.add(
                        files[lang], y.line, f"cites {sorted(y.sources)} where {first!r} cites {sorted(x.sources)}"
                    )
                if len(x.markdown.split()) >= MIN_WORDS_TO_COMPARE and x.markdown == y.markdown:
                    problems.add(files[lang], y.line, f"statement is identical to {first!r} (untranslated)")


def _load_course(
    folder: Path, problems: Problems, languages: tuple[str, ...], sources: Mapping[str, Source]
) -> Course | None:
    path = folder / "course.yaml"
    data = _read_yaml(path, problems)
    if data is None:
        return None
    check = _Checker(problems, languages)
    before = len(problems.items)
    course_id = check.identifier(path, data) or folder.name
    if course_id != folder.name:
        problems.add(path, _line(data, "id"), f"id {course_id!r} must equal the folder name {folder.name!r}")
    kind = data.get("kind")
    if kind not in KINDS:
        problems.add(path, _line(data, "kind"), f"'kind' must be one of {KINDS}")
    version = check.integer(path, data, "version", 1, 10_000)
    audience = data.get("audience")
    if audience not in ("staff", "public"):
        problems.add(path, _line(data, "audience"), "'audience' must be staff or public")
    title = check.text(path, data, "title") or {}
    summary = check.text(path, data, "summary") or {}
    questions = _load_questions(path, data, check, sources)

    def known(ids: tuple[str, ...], where: Any, key: str) -> tuple[str, ...]:
        for qid in ids:
            if qid not in questions:
                problems.add(path, _line(where, key), f"unknown question {qid!r} in {key!r}")
        return tuple(q for q in ids if q in questions)

    modules: list[Module] = []
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, list) or not raw_modules:
        problems.add(path, _line(data, "modules"), "'modules' must list at least one module")
        raw_modules = []
    for raw in raw_modules:
        module_id = check.identifier(path, raw)
        module_title = check.text(path, raw, "title") or {}
        quiz = known(check.id_list(path, raw, "quiz"), raw, "quiz")
        if module_id is None:
            continue
        files = {lang: folder / lang / f"{module_id}.md" for lang in languages}
        parsed: dict[str, list[_ParsedSection]] = {}
        for lang, md in files.items():
            if not md.is_file():
                problems.add(path, _line(raw), f"module {module_id!r} has no {lang!r} text: {lang}/{module_id}.md")
                continue
            parsed[lang] = parse_markdown(md, problems, sources)
        if len(parsed) == len(languages):
            _compare_languages(files, parsed, problems)
        sections: list[Section] = []
        base = parsed.get(languages[0], [])
        for index, section in enumerate(base):
            versions = {lang: parsed[lang][index] for lang in parsed if index < len(parsed[lang])}
            sections.append(
                Section(
                    section.id,
                    section.vignette,
                    {lang: s.title for lang, s in versions.items()},
                    {lang: tuple(s.blocks) for lang, s in versions.items()},
                )
            )
        modules.append(Module(module_id, module_title, tuple(sections), quiz))
    all_sections = [s.id for m in modules for s in m.sections]
    for duplicate in {s for s in all_sections if all_sections.count(s) > 1}:
        problems.add(path, _line(data, "modules"), f"section id {duplicate!r} appears in two modules")
    pre: tuple[str, ...] = ()
    post: tuple[str, ...] = ()
    pass_mark = validity = reminder = 0
    if kind == "course":
        tests = data.get("tests")
        if not isinstance(tests, dict):
            problems.add(path, _line(data), "a course needs 'tests' with 'pre' and 'post' question lists")
            tests = _Map()
        pre = known(check.id_list(path, tests, "pre"), tests, "pre")
        post = known(check.id_list(path, tests, "post"), tests, "post")
        if not pre or not post:
            problems.add(path, _line(data, "tests"), "a course needs a pre-test and a post-test")
        pass_mark = check.integer(path, data, "pass_mark", 1, 100)
        validity = check.integer(path, data, "validity_months", 1, 120)
        reminder = check.integer(path, data, "reminder_days", 1, 365)
        if not any(s.vignette for m in modules for s in m.sections):
            problems.add(path, _line(data, "modules"), "a course needs at least one case vignette")
    if len(problems.items) > before:
        return None
    return Course(
        course_id,
        str(kind),
        version,
        str(audience),
        title,
        summary,
        tuple(modules),
        questions,
        pre,
        post,
        pass_mark,
        validity,
        reminder,
        folder,
    )


def validate(roots: Iterable[Path]) -> tuple[Content | None, list[str]]:
    """Load every course under the roots (later roots override earlier ones); return content and problems."""
    roots = [Path(r) for r in roots]
    problems = Problems(roots[0])
    languages, sources = _load_sources(roots[0] / "sources.yaml", problems)
    courses: dict[str, Course] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if not (folder / "course.yaml").is_file():
                continue
            course = _load_course(folder, Problems(root) if root != roots[0] else problems, languages, sources)
            if course is not None:
                courses[course.id] = course
    if problems.items:
        return None, problems.items
    return Content(languages, sources, courses), []


def validate_folder(folder: Path, root: Path = PACKAGE_CONTENT) -> list[str]:
    """Check one course folder against the shipped sources (for `heroes training validate PATH`)."""
    problems = Problems(folder.parent)
    languages, sources = _load_sources(root / "sources.yaml", problems)
    _load_course(folder, problems, languages, sources)
    return problems.items


def content_roots() -> list[Path]:
    from heroes.training.settings import imported_content_dir

    return [PACKAGE_CONTENT, imported_content_dir()]


@cache
def get_content() -> Content:
    content, problems = validate(content_roots())
    if content is None:
        raise ContentError(problems)
    return content


def reset() -> None:
    get_content.cache_clear()
    _markdown.cache_clear()


# --- rendering -------------------------------------------------------------------------------


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def block_html(block: Block, sources: Mapping[str, Source]) -> str:
    """A block as HTML: citations become links to the source list at the bottom of the page."""

    def cite(match: re.Match[str]) -> str:
        ids = [p.strip().lstrip("@").strip() for p in match.group(1).split(";")]
        links = "; ".join(f"[{sources[i].short}](#source-{i})" for i in ids if i in sources)
        return f"({links})"

    markdown = CITATION.sub(cite, block.markdown)
    html = str(_markdown().render(markdown)).strip()
    if block.list_item and html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    return html
