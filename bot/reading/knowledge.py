"""Loads the data in knowledge/: tables are TOML files read once, causes and rules validated at load.

``knowledge()`` is the checked whole: the cause records of knowledge/causes/*.toml and the
classifier's rulebook (status.toml, phrases.toml, providers.toml). Loading fails with every
problem listed (KnowledgeError) when a reason has no cause, a cause lacks a text in ja or en,
an id is repeated, a rule names a cause that does not exist, or a phrase does not compile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from bot.models import Cause, CauseText
from bot.reading.datafiles import package_root, toml_text
from bot.reading.kcache import cached
from bot.vocab import Lang, Reason, Responsible

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from importlib.resources.abc import Traversable
    from pathlib import Path
    from typing import Any

    from bot.reading.rulebook import Rulebook

_TEXT_FIELDS = ("title", "explanation", "user_message")


class KnowledgeError(ValueError):
    """The data in knowledge/ is inconsistent; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("knowledge/ is broken:\n  " + "\n  ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The validated knowledge: cause records by id, each reason's default, the rulebook."""

    causes: Mapping[str, Cause]
    defaults: Mapping[Reason, str]
    temporary: Mapping[str, str]  # cause id → the cause to use when the failure is temporary
    delayed: str | None  # the cause of a delay warning whose cause has no temporary variant
    rules: Rulebook

    def cause(self, cause_id: str) -> Cause:
        """The cause record with this id (KeyError for an unknown id)."""
        return self.causes[cause_id]

    def default_cause(self, reason: Reason) -> Cause:
        """The general cause of a reason."""
        return self.causes[self.defaults[reason]]

    def temporary_variant(self, cause_id: str) -> str:
        """The cause to tell when the failure is temporary: its `temporary` variant, else itself."""
        return self.temporary.get(cause_id, cause_id)


@cache
def knowledge() -> Knowledge:
    """The package's knowledge/, loaded and validated once (a current compiled cache skips both)."""
    root = package_root()
    if not isinstance(root, str):  # inside a zip: read through importlib.resources, not cached
        return load_knowledge(root)

    def build() -> dict[str, Any]:
        from pathlib import Path  # only when the cache is built

        return _fields(load_knowledge(Path(root)))

    # MappingProxyType does not pickle: the cache holds the fields as plain dicts.
    fields = cached(root, "knowledge", build)
    return Knowledge(
        causes=MappingProxyType(fields["causes"]),
        defaults=MappingProxyType(fields["defaults"]),
        temporary=MappingProxyType(fields["temporary"]),
        delayed=fields["delayed"],
        rules=fields["rules"],
    )


def _fields(kn: Knowledge) -> dict[str, Any]:
    return {
        "causes": dict(kn.causes),
        "defaults": dict(kn.defaults),
        "temporary": dict(kn.temporary),
        "delayed": kn.delayed,
        "rules": kn.rules,
    }


def load_knowledge(root: Traversable | Path) -> Knowledge:
    """Load and validate a knowledge directory (the package's, or a test's copy); KnowledgeError if broken."""
    from bot.reading.rulebook import build

    problems: list[str] = []
    tables = {name: _read(root, f"{name}.toml", problems) for name in ("status", "phrases", "providers")}
    records: list[tuple[str, dict[str, Any]]] = []
    causes_dir = root.joinpath("causes")
    if not causes_dir.is_dir():
        problems.append("causes/: missing")
    else:
        for entry in sorted(causes_dir.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                table = _read(causes_dir, entry.name, problems)
                records += [(entry.name, r) for r in table.get("cause", [])]
    causes, defaults, temporary = _causes(records, problems)
    delayed = [cid for file, raw in records if raw.get("delayed_fallback") for cid in [str(raw.get("id"))]]
    if len(delayed) > 1:
        problems.append(f"more than one delayed_fallback cause: {', '.join(delayed)}")
    for cid in delayed:
        if causes.get(cid) and causes[cid].responsible != Responsible.TRANSIENT:
            problems.append(f"cause {cid!r}: a delayed_fallback cause must be transient")
    rules = build(tables["status"], tables["phrases"], tables["providers"], problems)
    for cid in sorted(rules.cause_ids() | set(temporary.values())):
        if cid not in causes:
            problems.append(f"rules name an unknown cause {cid!r}")
    for reason, cid in rules.reason_cause_pairs():
        if cid in causes and causes[cid].reason != reason:
            problems.append(f"a rule gives reason {reason} with cause {cid!r} of reason {causes[cid].reason}")
    for reason in Reason:
        if reason not in defaults:
            problems.append(f"reason {reason}: no default cause")
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(
        causes=MappingProxyType(causes),
        defaults=MappingProxyType(defaults),
        temporary=MappingProxyType(temporary),
        delayed=delayed[0] if delayed else None,
        rules=rules,
    )


def _read(root: Traversable | Path, name: str, problems: list[str]) -> dict[str, Any]:
    import tomllib

    entry = root.joinpath(name)
    if not entry.is_file():
        problems.append(f"{name}: missing")
        return {}
    try:
        return toml_text(entry.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
        return {}


def _causes(
    records: list[tuple[str, dict[str, Any]]], problems: list[str]
) -> tuple[dict[str, Cause], dict[Reason, str], dict[str, str]]:
    causes: dict[str, Cause] = {}
    defaults: dict[Reason, str] = {}
    temporary: dict[str, str] = {}
    for file, raw in records:
        cid = str(raw.get("id", ""))
        where = f"{file}: cause {cid!r}"
        if not cid:
            problems.append(f"{file}: a cause without id")
            continue
        if cid in causes:
            problems.append(f"{where}: id used twice")
        reason = _enum(Reason, raw.get("reason"), where, problems) if raw.get("reason") else None
        responsible = _enum(Responsible, raw.get("responsible"), where, problems) or Responsible.UNKNOWN
        causes[cid] = Cause(
            id=cid, reason=reason, responsible=responsible, texts=_texts(raw, where, problems)
        )
        if raw.get("default"):
            if reason is None:
                problems.append(f"{where}: a default cause needs a reason")
            elif reason in defaults:
                problems.append(f"{where}: second default for {reason} (first {defaults[reason]!r})")
            else:
                defaults[reason] = cid
        if raw.get("temporary"):
            temporary[cid] = str(raw["temporary"])
    for cid, tid in temporary.items():
        if tid in causes and causes[tid].reason != causes[cid].reason:
            problems.append(f"cause {cid!r}: temporary variant {tid!r} has another reason")
    return causes, defaults, temporary


def _enum(kind: type[Reason] | type[Responsible], value: object, where: str, problems: list[str]) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        problems.append(f"{where}: unknown {kind.__name__.lower()} {value!r}")
        return None


def _texts(raw: dict[str, Any], where: str, problems: list[str]) -> dict[Lang, CauseText]:
    texts: dict[Lang, CauseText] = {}
    for lang in Lang:
        block = raw.get(str(lang))
        if not isinstance(block, dict):
            problems.append(f"{where}: no {lang} text")
            continue
        for field in _TEXT_FIELDS:
            if not isinstance(block.get(field), str) or not block[field].strip():
                problems.append(f"{where}: {lang}.{field} missing or empty")
        steps = block.get("admin_steps")
        if (
            not isinstance(steps, list)
            or not steps
            or not all(isinstance(s, str) and s.strip() for s in steps)
        ):
            problems.append(f"{where}: {lang}.admin_steps must be a non-empty list of texts")
            steps = []
        texts[lang] = CauseText(
            title=str(block.get("title", "")).strip(),
            explanation=str(block.get("explanation", "")).strip(),
            user_message=str(block.get("user_message", "")).strip(),
            admin_steps=tuple(s.strip() for s in steps),
        )
    return texts
