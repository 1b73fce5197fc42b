"""Find Huawei Cloud errors in text and match them to the knowledge base."""

from knowledge.matching.extract import extract
from knowledge.matching.findings import Finding
from knowledge.matching.matcher import Matcher
from knowledge.matching.scan import Mention

__all__ = ["Finding", "Matcher", "Mention", "extract"]
