"""Chinese medical-insurance cash-out misinformation classifier.

The one public entry point is :class:`Auditor`::

    from classifier import Auditor
    auditor = Auditor.load()
    result = auditor.audit("医保卡里的钱能取出来吗？……")
"""

from classifier.auditor import Auditor, InputError
from classifier.labels import CLAIM_KINDS, LABELS, SUGGESTIONS, VERDICTS
from classifier.schemas import ArticleResult, Citation, Evidence, PassageResult
from classifier.settings import AuditorSettings

__all__ = [
    "CLAIM_KINDS",
    "LABELS",
    "SUGGESTIONS",
    "VERDICTS",
    "ArticleResult",
    "Auditor",
    "AuditorSettings",
    "Citation",
    "Evidence",
    "InputError",
    "PassageResult",
]
__version__ = "0.1.0"
