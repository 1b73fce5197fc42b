"""The knowledge base's messages, each once however many entries carry it, for the matcher to
find in text: exactly (message_scan) or by the words typed (message_search).

A message is kept as its words (wording.template_words), so "The token is empty." and "token
is empty" are one message; a cell that lists several causes adds each as a message of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.matching.message_scan import AnchorIndex, MessageHit
from knowledge.matching.message_search import TermIndex
from knowledge.matching.wording import other_forms, template_words, words


class MessageIndex:
    """Distinct normalised messages, each with the entries (by index) that carry it."""

    def __init__(self, messages: Sequence[str], descriptions: Sequence[str]) -> None:
        ids: dict[tuple[str, ...], int] = {}
        self.templates: list[tuple[str, ...]] = []
        self.texts: list[str] = []
        self.entries: list[list[int]] = []
        self.entry_message: list[int] = []  # each entry's own (whole) message

        def add(form: str, entry_index: int) -> int:
            tpl = template_words(form)
            mid = ids.get(tpl)
            if mid is None:
                mid = ids[tpl] = len(self.templates)
                self.templates.append(tpl)
                self.texts.append(form)
                self.entries.append([])
            if not self.entries[mid] or self.entries[mid][-1] != entry_index:
                self.entries[mid].append(entry_index)
            return mid

        for entry_index, message in enumerate(messages):
            self.entry_message.append(add(message, entry_index))
            if "\n" in message or ": " in message:
                for form in other_forms(message):
                    add(form, entry_index)
        self.exact = ids
        self._anchors = AnchorIndex(self.templates)
        self._terms = TermIndex(self.templates, self.texts, self.entry_message, messages, descriptions)

    def lookup(self, text: str) -> int | None:
        """The message that `text` is, word for word, or None."""
        return self.exact.get(tuple(words(text)))

    def scan(self, text: str, skip: Sequence[tuple[int, int]] = ()) -> list[MessageHit]:
        """Every message that occurs in `text` outside the `skip` spans (see AnchorIndex.scan)."""
        return self._anchors.scan(text, skip)

    def search(
        self, query: str, limit: int = 5, correct: bool = True, thorough: bool = True
    ) -> list[tuple[int, float]]:
        """(message id, score 0..1) of the messages closest to `query` (see TermIndex.search)."""
        return self._terms.search(query, limit, correct, thorough)

    def completions(self, fragment: str) -> list[int]:
        """Messages that `fragment`, cut off mid-word, begins ("The account has been fro")."""
        return self._terms.completions(fragment)

    def ratio(self, query: str, message_id: int) -> float:
        """How alike `query` and one message read, character by character (0..1)."""
        return self._terms.ratio(query, message_id)
