"""The one clitic table (marsad.text.clitics): its sets, pinned to the tables each module had before."""

from __future__ import annotations

from marsad.text import clitics as c


def test_atoms_and_derived_sets() -> None:
    assert c.PROCLITICS == ("و", "ف", "ب", "ل", "ك")
    assert c.DOUBLE_PROCLITICS == ("وب", "ول", "وك", "فب", "فل", "فك")
    assert c.BEFORE_ARTICLE == ("و", "ف", "ب", "ك", "وب", "وك", "فب", "فك")
    assert c.CLITIC_AL == ("وال", "فال", "بال", "كال")
    assert c.CLITIC_ARTICLE == ("وال", "فال", "بال", "كال", "لل")
    assert c.LIL_PREFIXES == ("لل", "ولل", "فلل")


def test_longest_first_lists() -> None:
    assert c.ARTICLE_PREFIXES == ("وبال", "فبال", "وكال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال")
    assert c.BARE_PREFIXES == ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
    assert c.PREFIXES == c.ARTICLE_PREFIXES + c.BARE_PREFIXES
    for table in (c.ARTICLE_PREFIXES, c.BARE_PREFIXES, c.PREFIXES, c.NER_PREFIXES):
        assert [len(p) for p in table] == sorted((len(p) for p in table), reverse=True)
        assert len(set(table)) == len(table)


def test_subsets_that_differ_on_purpose() -> None:
    # the set the bundled NER CRF was trained with (its features must not change without a retrain)
    assert set(c.NER_PREFIXES) == set("وبال فبال وال فال بال كال ولل فلل لل ال وب ول فب فل و ف ب ل ك".split())
    # the any-word search's glued forms, in the order its FTS expressions list them
    assert c.SEARCH_PREFIXES == ("و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك",
                                 "ال", "وال", "فال", "بال", "كال", "لل")
    assert c.SINGLE_CLITIC_PREFIXES == ("وال", "فال", "بال", "كال", "لل", "و", "ف", "ب", "ل", "ك")
    for subset in (c.NER_PREFIXES, c.SEARCH_PREFIXES, c.SINGLE_CLITIC_PREFIXES):
        assert set(subset) <= set(c.PREFIXES)
