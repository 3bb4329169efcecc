"""The summary after a batch: how many inputs, by kind, by cause, by responsible side, DNS problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.models import Diagnosis
from bot.render.messages import message, responsible_label
from bot.vocab import Kind, Lang, Responsible

_HEADING = "■"
TOP_CAUSES = 20  # causes listed one line each; the rest are summed in one line


@dataclass(frozen=True, slots=True)
class Tally:
    """What the summary counts of one input: small enough to send back from a worker process."""

    failed: bool
    kind: str = ""
    cause: str | None = None
    title: str = ""
    side: Responsible | None = None  # None: not counted by side
    problems: tuple[tuple[str, str], ...] = ()  # (problem id, domain)

    @classmethod
    def of(cls, d: Diagnosis, lang: Lang) -> Tally:
        """The tally of one diagnosis."""
        if d.error:
            return cls(failed=True)
        side = None
        if d.cause is not None:
            side = d.responsible or d.cause.responsible
            if d.kind is Kind.DOMAIN and side is Responsible.UNKNOWN:
                side = None
        return cls(
            failed=False,
            kind=str(d.kind),
            cause=d.cause.id if d.cause is not None else None,
            title=d.cause.text(lang).title if d.cause is not None else "",
            side=side,
            problems=tuple((str(p.id), r.domain) for r in d.domains for p in r.problems),
        )


@dataclass
class Summary:
    """Counts kept while a batch is printed (mutable: one per run)."""

    inputs: int = 0
    failed: int = 0
    skipped: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    causes: Counter[str] = field(default_factory=Counter)
    titles: dict[str, str] = field(default_factory=dict)
    sides: Counter[Responsible] = field(default_factory=Counter)
    problems: dict[str, set[str]] = field(default_factory=dict)  # problem id → domains having it

    def add(self, d: Diagnosis, lang: Lang) -> None:
        """Count one analysed (or failed) input."""
        self.count(Tally.of(d, lang))

    def count(self, t: Tally) -> None:
        """Count one input from what the summary needs of it (a worker process sends only this)."""
        self.inputs += 1
        if t.failed:
            self.failed += 1
            return
        self.kinds[t.kind] += 1
        if t.cause is not None:
            self.causes[t.cause] += 1
            self.titles.setdefault(t.cause, t.title)
        if t.side is not None:
            self.sides[t.side] += 1
        for pid, domain in t.problems:
            self.problems.setdefault(pid, set()).add(domain)

    def skip(self) -> None:
        """Count one input skipped (a special file in a directory)."""
        self.inputs += 1
        self.skipped += 1

    def lines(self, lang: Lang) -> list[str]:
        """The summary as text lines."""
        analysed = self.inputs - self.failed - self.skipped
        out = [f"{_HEADING} {message('summary-heading', lang, count=self.inputs)}"]
        out.append("  " + message("summary-analysed", lang, count=analysed))
        if self.failed:
            out.append("  " + message("summary-failed", lang, count=self.failed))
        if self.skipped:
            out.append("  " + message("summary-skipped", lang, count=self.skipped))
        if self.kinds.get(str(Kind.NONE)):
            out.append("  " + message("summary-nothing", lang, count=self.kinds[str(Kind.NONE)]))
        if self.kinds:
            kinds = " · ".join(f"{k} {n}" for k, n in self.kinds.most_common())
            out.append(f"  {message('summary-by-kind', lang)}: {kinds}")
        if self.causes:
            out.append(f"  {message('summary-by-cause', lang)}:")
            ranked = self.causes.most_common()
            out += [f"  {n:>6}  {self.titles[cid]} ({cid})" for cid, n in ranked[:TOP_CAUSES]]
            rest = sum(n for _, n in ranked[TOP_CAUSES:])
            if rest:
                out.append(f"  {rest:>6}  …")
        if self.sides:
            out.append(f"  {message('summary-by-side', lang)}:")
            out += [f"  {n:>6}  {responsible_label(side, lang)}" for side, n in self.sides.most_common()]
        if self.problems:
            out.append(f"  {message('summary-dns', lang)}:")
            ranked_problems = sorted(self.problems.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            out += [f"  {len(domains):>6}  {pid}" for pid, domains in ranked_problems]
        return out
