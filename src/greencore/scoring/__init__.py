"""The scoring engine: scheme × inputs → result, for one application or a whole population."""

from greencore.scoring.engine import (
    ENGINE_VERSION,
    PopulationResult,
    Ranking,
    rank_population,
    score,
    score_population,
)
from greencore.scoring.inputs import InputError
from greencore.scoring.result import Result

__all__ = [
    "ENGINE_VERSION",
    "InputError",
    "PopulationResult",
    "Ranking",
    "Result",
    "rank_population",
    "score",
    "score_population",
]
