"""Which service's entry a code means, when several services of the knowledge base have it.

The AI services share the ModelArts.4xxx gateway codes, every service answers APIG.xxxx, and so a
code alone often does not tell the service. In order, what decides:

1. what the paste shows on the wire (host, endpoint path, SDK, client, logger, Terraform, KooCLI:
   knowledge.matching.service_evidence), then the service named in its prose;
2. when the paste shows a service that does not have the code, the gateway in front of every call
   (APIGW.0301 from a VPC call is API Gateway's);
3. the paste's message, when it is one service's wording and clearly not the others';
4. the channel: its default service, then the services seen there lately (`hints`);
5. nothing: the service is left open, and every service's meaning is offered.

Wording similarity between two pages never outranks a service the paste names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from knowledge.matching.service_evidence import Evidence, ProseNames, prose_key
from knowledge.services import PROFILES, Profile, normalise_service, profile

# The message decides only when it is this close to one service's wording ...
_WORDING_SURE = 0.8
# ... and the next service's best wording is at least this much further.
_WORDING_MARGIN = 0.25
_GENERIC = frozenset(
    {"service", "services", "error", "errors", "codes", "code", "cloud", "management", "api"}
)


class ServiceNames:
    """The knowledge base's services, by every name a paste may show them under."""

    def __init__(self, slugs: Iterable[str]) -> None:
        self.slugs = sorted(set(slugs))
        self.keys: dict[str, list[str]] = defaultdict(list)
        self.paths: dict[str, list[str]] = defaultdict(list)
        self.prose: dict[str, list[str]] = defaultdict(list)
        self.fronts: set[str] = set()
        present = set(self.slugs)
        for slug in self.slugs:
            found = profile(slug) or profile(normalise_service(slug))
            profiles: list[Profile] = [found] if found is not None else []
            # A profile whose own slug the team did not use, but that files under this one.
            profiles += [p for p in PROFILES if slug in p.also and p.slug not in present and p is not found]
            for p in profiles:
                self._add(slug, p)
            # The slug's own words name it too ("my-billing" → billing), for services the
            # catalogue lacks.
            self._put(self.prose, prose_key(slug), slug)
            for word in re.split(r"[^a-z0-9]+", slug.lower()):
                if len(word) >= 3 and word not in _GENERIC:
                    self._put(self.keys, word, slug)
                    self._put(self.prose, word, slug)
        # Prose patterns by the services a code is in: a code's choice is among two or three
        # services, and an alternation of their names alone is a small fraction of every name's.
        self._patterns: dict[frozenset[str], ProseNames] = {}

    @staticmethod
    def _put(table: dict[str, list[str]], key: str, slug: str) -> None:
        if slug not in table[key]:
            table[key].append(slug)

    def _add(self, slug: str, p: Profile) -> None:
        for key in p.keys:
            self._put(self.keys, key.lower(), slug)
        self._put(self.keys, re.sub(r"[^a-z0-9]", "", p.slug), slug)
        for path in p.paths:
            self._put(self.paths, path.lower(), slug)
        for name in (p.display, *p.names):
            self._put(self.prose, prose_key(name), slug)
        if p.fronts_every_call:
            self.fronts.add(slug)

    def strong(self, ev: Evidence) -> tuple[set[str], bool]:
        """The knowledge base's services the wire evidence names, and whether it named any service
        at all (one the knowledge base may lack: `huaweicloudsdkvpc`)."""
        out: set[str] = set()
        if not ev.strong and not ev.paths:  # most pastes: nothing on the wire
            return out, False
        for key in ev.strong:
            out.update(self.keys.get(key, ()))
        for seg in ev.paths:
            out.update(self.paths.get(seg.lower(), ()))
        return out, bool(out) or bool(ev.strong & _CATALOGUE_KEYS)

    def prose_named(self, ev: Evidence, among: frozenset[str]) -> set[str]:
        """The services of `among` the paste names in its prose."""
        names = self._patterns.get(among)
        if names is None:
            if len(self._patterns) >= _PATTERNS_KEPT:
                self._patterns = {}
            names = self._patterns[among] = self._prose_names(among)
        out: set[str] = set()
        for name in ev.prose(names):
            out.update(self.prose.get(name, ()))
        return out & among if out else out

    def _prose_names(self, among: frozenset[str]) -> ProseNames:
        """The prose names of `among`'s services, and every other name that holds one of them:
        "API Gateway Management" is read whole, never as "API Gateway", as the scan for every
        name would."""
        own = [n for n, slugs in self.prose.items() if among.intersection(slugs)]
        squashed = [n.replace(" ", "") for n in own]
        names = set(own) | {n for n in self.prose if any(o in n.replace(" ", "") for o in squashed)}
        return ProseNames(names)


_PATTERNS_KEPT = 4096


# Every short name of a Huawei Cloud service: a paste that shows one named the service it called,
# whether the knowledge base has that service or not.
_CATALOGUE_KEYS = frozenset(k for p in PROFILES for k in p.keys)
_CATALOGUE_SLUGS: dict[str, set[str]] = defaultdict(set)
for _p in PROFILES:
    for _key in _p.keys:
        _CATALOGUE_SLUGS[_key].add(_p.slug)
_FRONTS = frozenset(p.slug for p in PROFILES if p.fronts_every_call)


def decide(
    names: ServiceNames,
    services: Sequence[str],
    evidence: Evidence,
    wording: dict[str, float],
    hints: Sequence[str] = (),
) -> str | None:
    """The one service among `services` (all having the code) the evidence picks, or None."""
    have = frozenset(services)
    strong, named_any = names.strong(evidence)
    picked = have.intersection(strong)
    if len(picked) == 1:
        return next(iter(picked))
    prose = names.prose_named(evidence, picked or have)
    if len(prose) == 1:
        return next(iter(prose))
    if not picked and named_any:
        fronts = names.fronts & have
        if len(fronts) == 1:
            return next(iter(fronts))
    if len(picked) > 1:
        have = picked
    if wording:
        ranked = sorted(((wording.get(s, 0.0), s) for s in have), reverse=True)
        if ranked[0][0] >= _WORDING_SURE and (
            len(ranked) == 1 or ranked[1][0] <= ranked[0][0] - _WORDING_MARGIN
        ):
            return ranked[0][1]
    for hint in hints:
        if hint in have:
            return hint
    return next(iter(have)) if len(have) == 1 else None


def shown_service(evidence: Evidence) -> str | None:
    """The one Huawei Cloud service the wire evidence names (the catalogue's slug), if just one:
    the service of a knowledge gap, whether or not the knowledge base has that service yet."""
    found = {slug for key in evidence.strong for slug in _CATALOGUE_SLUGS.get(key, ())}
    if len(found) > 1:
        found -= _FRONTS
    return next(iter(found)) if len(found) == 1 else None
