"""The plan of listening's per-brand figures, read from the catalogue (pure)."""

from __future__ import annotations

import pytest

from socialpulse.catalogue import metric_catalogue
from socialpulse.domain.listening.figures import BrandMeasure, brand_figures, brand_measure
from socialpulse.domain.metrics import Measure


def test_own_brand_measures_become_this_brand_and_the_rest_all_brands() -> None:
    sov, positive, net = brand_figures(metric_catalogue())
    assert (sov.key, sov.metric, sov.formula_text) == (
        "share_of_voice", "share_of_voice", "own_mentions / mentions")
    assert sov.inputs == (BrandMeasure("own_mentions", (), per_brand=True),
                          BrandMeasure("mentions", (), per_brand=False))
    assert (positive.metric, positive.variant) == ("social_sentiment", "positive_share")
    assert (net.metric, net.variant) == ("social_sentiment", "net")
    assert BrandMeasure("own_negative_mentions", (("sentiment", "negative"),), True) in net.inputs


def test_only_counts_of_mentions_have_a_brand_reading() -> None:
    followers = Measure("followers", "Followers", "", "account_daily", "end", "followers")
    with pytest.raises(ValueError, match="counts of mentions only"):
        brand_measure(followers)
    others = Measure("other_mentions", "", "", "mentions", "count",
                     where=(("is_own_brand", False),))
    with pytest.raises(ValueError, match="is_own_brand may only be true"):
        brand_measure(others)
