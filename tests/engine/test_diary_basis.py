"""A diary carried as its basis (earliest and lowest rating) derives the same trend findings as the whole diary."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backspasm.contract import DiaryEntry
from backspasm.findings import derived, diary_basis

ratings = st.lists(st.tuples(st.floats(0, 500, allow_nan=False), st.integers(0, 10)), min_size=1, max_size=30)


def _entries(items: list[tuple[float, int]]) -> list[DiaryEntry]:
    return [DiaryEntry(hours_since_onset=h, pain=p) for h, p in items]


@given(diary=ratings, pain=st.integers(0, 10), extra=st.floats(0, 600, allow_nan=False))
def test_the_basis_derives_what_the_whole_diary_derives(diary: list[tuple[float, int]], pain: int, extra: float) -> None:
    hours = max(h for h, _ in diary) + extra
    assert derived(hours, pain, _entries(diary)) == derived(hours, pain, _entries(diary_basis(diary)))


@given(diary=ratings, more=st.tuples(st.floats(0, 500, allow_nan=False), st.integers(0, 10)))
def test_the_basis_folds_one_rating_at_a_time(diary: list[tuple[float, int]], more: tuple[float, int]) -> None:
    assert diary_basis([*diary_basis(diary), more]) == diary_basis([*diary, more])


def test_an_empty_diary_has_an_empty_basis() -> None:
    assert diary_basis([]) == []
