"""Reference tables (coefficients and emission factors) shipped as versioned YAML data files."""

from greencore.reference.loader import (
    Mark,
    ReferenceLookupError,
    ReferenceSet,
    ReferenceTable,
    ReferenceTableError,
    Row,
    TableKind,
    load_table,
    load_table_file,
    parse_table,
    shipped_tables,
)

__all__ = [
    "Mark",
    "ReferenceLookupError",
    "ReferenceSet",
    "ReferenceTable",
    "ReferenceTableError",
    "Row",
    "TableKind",
    "load_table",
    "load_table_file",
    "parse_table",
    "shipped_tables",
]
