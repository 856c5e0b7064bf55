"""The tokenizer: quotes, @location spans, and notes kept verbatim."""

from __future__ import annotations

from grammar.tokens import Cursor, Token, split_notes, take_location, tokenize


def _stop_at(*words: str) -> object:
    return lambda cursor: cursor.word() in words


def test_words_split_on_any_whitespace() -> None:
    assert [t.text for t in tokenize("  gym\t90min   rpe 7 ")] == ["gym", "90min", "rpe", "7"]


def test_quoted_span_is_one_token_without_its_quotes() -> None:
    tokens = tokenize('V7 "Midnight Lightning" @Yosemite')
    assert tokens[1] == Token("Midnight Lightning", quoted=True)
    assert tokens[2].text == "@Yosemite"


def test_typographic_quotes_and_unclosed_quote() -> None:
    assert tokenize("“The Mandala” V12")[0] == Token("The Mandala", quoted=True)
    assert tokenize('V5 "no end here')[1] == Token("no end here", quoted=True)


def test_apostrophe_inside_a_word_is_not_a_quote() -> None:
    assert [t.text for t in tokenize("didn't send")] == ["didn't", "send"]


def test_quoted_words_are_never_keywords() -> None:
    assert tokenize('"sent"')[0].word == ""
    assert tokenize("SENT")[0].word == "sent"


def test_location_runs_until_the_next_keyword() -> None:
    cursor = Cursor(tokenize("@Red River Gorge sent 5.11a"))
    assert take_location(cursor, _stop_at("sent")) == "Red River Gorge"  # type: ignore[arg-type]
    assert cursor.word() == "sent"


def test_location_in_quotes_after_the_at_sign() -> None:
    cursor = Cursor(tokenize('@"The Sent Gym" sent V4'))
    assert take_location(cursor, _stop_at("sent")) == "The Sent Gym"  # type: ignore[arg-type]
    assert cursor.word() == "sent"


def test_location_stops_at_another_at_sign_and_is_none_elsewhere() -> None:
    cursor = Cursor(tokenize("@Bishop @Buttermilks"))
    assert take_location(cursor, _stop_at()) == "Bishop"  # type: ignore[arg-type]
    assert take_location(Cursor(tokenize("Bishop")), _stop_at()) is None  # type: ignore[arg-type]


def test_notes_are_the_rest_of_the_line_verbatim() -> None:
    before, notes = split_notes('gym 90min Notes:  Crimps felt "strong" @ the end, sent V9')
    assert before == "gym 90min"
    assert notes == 'Crimps felt "strong" @ the end, sent V9'
    assert split_notes("gym 90min") == ("gym 90min", None)
    assert split_notes("gym note: x")[1] == "x"
