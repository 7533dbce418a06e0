"""Hand-written to_dict methods give what dataclasses.asdict gives (field order included)."""

from dataclasses import asdict

from newsweave.model import Evidence, Passage


def test_passage_to_dict_is_asdict():
    passage = Passage(article=7, start=10, end=42, text="«Quoted» text, with a comma.")
    assert passage.to_dict() == asdict(passage)
    assert list(passage.to_dict()) == ["article", "start", "end", "text"]
    evidence = Evidence(passage, Passage(3, 0, 32, "Quoted text, with a comma."), 0.91234567)
    assert evidence.to_dict()["derived_passage"] == asdict(passage)
