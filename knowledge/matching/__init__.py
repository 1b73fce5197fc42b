"""Find Huawei Cloud errors in text and match them to the knowledge base."""

from knowledge.matching.extract import Mention, extract
from knowledge.matching.findings import Finding
from knowledge.matching.matcher import Matcher

__all__ = ["Finding", "Matcher", "Mention", "extract"]
