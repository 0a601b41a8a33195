"""backspasm: back-spasm triage and care planning from a person's answers and words.

    >>> from backspasm import assess, parse_assessment
    >>> assess(parse_assessment({"hours_since_onset": 2, "pain": 3})).urgency
    'self_care'
"""

from .assess import assess, assess_many
from .contract import Assessment, BadInput, parse_assessment, parse_json, parse_many
from .result import Result

__all__ = ["Assessment", "BadInput", "Result", "assess", "assess_many", "parse_assessment", "parse_json", "parse_many"]
__version__ = "0.1.0"
