"""Calculations of the green-manufacturing indicators from an enterprise's raw data.

Each calculation is a pure function from an input dataclass to a result dataclass; every result
carries its `trail` (the steps, with the coefficients and the reference rows used), the tables
used (id, version, rows with marks) and warnings for unverified rows. JSON goes in and out through
`from_dict` / `to_dict`.

`CALCULATIONS` maps a name to a function taking a JSON-like dict and returning a JSON-like dict with
`result` and `unit` (the headline figure), every other figure of the result, `trail` and
`tables_used`. Scheme formulas call calculations through it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from greencore.calc.common import ProductIntensity, ProductLine
from greencore.calc.energy import (
    Basis,
    CarrierLine,
    EnergyInput,
    EnergyResult,
    comprehensive_energy,
)
from greencore.calc.errors import (
    CalcError,
    CalcInputError,
    InconsistentDataError,
    MissingReferenceError,
    NegativeQuantityError,
    UnitError,
)
from greencore.calc.factory import compute_factory
from greencore.calc.ghg import (
    ElectricityLine,
    FuelLine,
    GhgInput,
    GhgResult,
    GridSeries,
    HeatLine,
    ProcessLine,
    ghg_emissions,
)
from greencore.calc.jsonio import from_dict, to_dict
from greencore.calc.land import Area, Building, LandInput, LandResult, Storey, land_indicators
from greencore.calc.numbers import text
from greencore.calc.ratios import (
    ElasticityInput,
    ElasticityResult,
    ParkInput,
    ParkResult,
    RenewableInput,
    RenewableResult,
    YearValue,
    carbon_elasticity,
    park_ratios,
    renewable_share,
)
from greencore.calc.trail import Amount, Step, TableUse
from greencore.calc.waste import WasteCategory, WasteInput, WasteResult, WasteStream, solid_waste_utilisation
from greencore.calc.water import IntakeLine, ReuseLine, WaterInput, WaterResult, water_indicators

JsonCalculation = Callable[[Mapping[str, Any]], dict[str, Any]]

I = TypeVar("I")  # noqa: E741 - input type
R_co = TypeVar("R_co", covariant=True)


class _Result(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=_Result)


def _json(
    name: str, input_type: type[I], function: Callable[[I], R], headline: Callable[[R], Amount]
) -> JsonCalculation:
    def run(data: Mapping[str, Any]) -> dict[str, Any]:
        result = function(from_dict(input_type, data))
        figure = headline(result)
        return {"calculation": name, "result": text(figure.value), "unit": figure.unit, **result.to_dict()}

    run.__name__ = f"{name}_json"
    run.__doc__ = (
        f"JSON form of {function.__name__}: dict in, dict with result, unit, trail, tables_used out."
    )
    return run


CALCULATIONS: dict[str, JsonCalculation] = {
    "energy": _json("energy", EnergyInput, comprehensive_energy, lambda r: r.total),
    "ghg": _json("ghg", GhgInput, ghg_emissions, lambda r: r.total),
    "water": _json("water", WaterInput, water_indicators, lambda r: r.reuse_rate),
    "waste": _json("waste", WasteInput, solid_waste_utilisation, lambda r: r.utilisation_rate),
    "land": _json("land", LandInput, land_indicators, lambda r: r.plot_ratio),
    "renewable": _json("renewable", RenewableInput, renewable_share, lambda r: r.share),
    "elasticity": _json("elasticity", ElasticityInput, carbon_elasticity, lambda r: r.elasticity),
    "park": _json("park", ParkInput, park_ratios, lambda r: r.energy_productivity),
}

__all__ = [
    "CALCULATIONS",
    "Amount",
    "Area",
    "Basis",
    "Building",
    "CalcError",
    "CalcInputError",
    "CarrierLine",
    "ElasticityInput",
    "ElasticityResult",
    "ElectricityLine",
    "EnergyInput",
    "EnergyResult",
    "FuelLine",
    "GhgInput",
    "GhgResult",
    "GridSeries",
    "HeatLine",
    "InconsistentDataError",
    "IntakeLine",
    "JsonCalculation",
    "LandInput",
    "LandResult",
    "MissingReferenceError",
    "NegativeQuantityError",
    "ParkInput",
    "ParkResult",
    "ProcessLine",
    "ProductIntensity",
    "ProductLine",
    "RenewableInput",
    "RenewableResult",
    "ReuseLine",
    "Step",
    "Storey",
    "TableUse",
    "UnitError",
    "WasteCategory",
    "WasteInput",
    "WasteResult",
    "WasteStream",
    "WaterInput",
    "WaterResult",
    "YearValue",
    "carbon_elasticity",
    "comprehensive_energy",
    "compute_factory",
    "from_dict",
    "ghg_emissions",
    "land_indicators",
    "park_ratios",
    "renewable_share",
    "solid_waste_utilisation",
    "to_dict",
    "water_indicators",
]


def __getattr__(name: str) -> Any:
    if name == "InputError":  # renamed in issue 15: the scoring InputError is another class
        warnings.warn(
            "greencore.calc.InputError is deprecated: use CalcInputError", DeprecationWarning, stacklevel=2
        )
        return CalcInputError
    raise AttributeError(name)
