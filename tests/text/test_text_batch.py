"""A batch through nlp.pipe reads every text exactly as read() does one by one."""

from __future__ import annotations

from backspasm.text import read, read_many


def test_a_batch_reads_like_one_by_one() -> None:
    texts = ["can't pass urine", "", "no numbness, legs fine", "on wafarin, temp 39", "   ", "pins and needles in both feet"]
    assert read_many(texts) == [read(t) for t in texts]
