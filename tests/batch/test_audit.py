"""audit_safely: one bad article is one error, and model calls go through the periodic trim."""

from classifier import Auditor, AuditorSettings, allocator
from classifier.batch import audit
from tests.fakes import KeywordModel


def test_model_calls_are_counted_by_the_trim_and_a_bad_article_stays_alone(monkeypatch):
    released: list[bool] = []
    monkeypatch.setattr(allocator, "release_free_memory", lambda: released.append(True) or True)
    monkeypatch.setattr(audit, "_TRIM", allocator.PeriodicTrim(every=1))
    auditor = Auditor(KeywordModel(), AuditorSettings())
    good = auditor.prepare("本店高价回收医保卡，当天结算，微信联系。")
    results = audit.audit_safely(auditor, [good, good])
    assert [r.verdict for r in results] == ["cashout_ad", "cashout_ad"]
    assert len(released) == 1  # one shared model call

    class Broken(KeywordModel):
        def predict_proba(self, texts, temperature=None):
            if any("坏" in t for t in texts):
                raise RuntimeError("model failed")
            return super().predict_proba(texts, temperature)

    auditor = Auditor(Broken(), AuditorSettings())
    bad = auditor.prepare("这一段是坏的输入，用来让模型出错。")
    results = audit.audit_safely(auditor, [good, bad])
    assert results[0].verdict == "cashout_ad"
    assert results[1] == "audit failed: RuntimeError: model failed"
    assert len(released) == 1 + 3  # the shared call that failed, then each article alone
