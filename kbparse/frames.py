"""A table of a committed dataset as a pandas DataFrame, with types pandas works with.

    articles = kbparse.read_table("articles")                  # $KBPARSE_DATA, else ./kb-data
    articles.last_modified.dt.year.value_counts()
    bugs = kbparse.read_table("issue_types", filters=[("issue_type", "=", "kbbug")])

What `pd.read_parquet` would give instead: dates as Python objects (no `.dt`),
strings as object or, on pandas 3, as NaN-missing strings. Here, by the schema's
logical type (kbparse.schema):

    date        datetime64[ms]  (midnight of that day)
    timestamp   datetime64[us, UTC]
    category    categorical
    string      string[pyarrow]  (pyarrow-backed, missing is pd.NA)
    int*, bool  Int32 / Int64 / boolean  (nullable: a missing value stays pd.NA, the column stays integer)

The files read are those of one committed version, resolved once as
open_dataset does: a commit made meanwhile does not mix two versions.
"""

from __future__ import annotations

import os

from .dataset import Committed, DatasetError, resolve
from .schema import table, tables


def _pandas_type(logical: str):
    import pandas as pd

    return {
        "string": pd.StringDtype("pyarrow"),
        "int32": pd.Int32Dtype(),
        "int64": pd.Int64Dtype(),
        "bool": pd.BooleanDtype(),
    }.get(logical)


def read_table(name: str, data: str | os.PathLike[str] | Committed | None = None,
               columns: list[str] | None = None, filters=None):
    """The table `name` of the dataset at `data` as a pandas DataFrame.

    `columns` picks columns; `filters` are pyarrow's (a list of (column, op,
    value) tuples, or an expression), applied while reading. Raises
    DatasetError (a UsageError) for an unknown table or column, or no dataset.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if name not in tables():
        raise DatasetError(f"no table {name!r}: the tables are {', '.join(tables())}")
    t = table(name)
    if columns is not None:
        unknown = [c for c in columns if c not in {col.name for col in t.columns}]
        if unknown:
            raise DatasetError(f"no column {', '.join(map(repr, unknown))} in {name}: its columns are "
                               f"{', '.join(c.name for c in t.columns)}")
    version = data if isinstance(data, Committed) else resolve(data)
    files = version.table_files(name)
    if files:
        try:
            arrow = pq.ParquetDataset(files, filesystem=version.filesystem, filters=filters).read(columns=columns)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise DatasetError(f"{name}: cannot read with these filters or columns: {' '.join(str(exc).split())}") from None
    else:
        arrow = t.empty().select(columns) if columns is not None else t.empty()
    return _to_pandas(arrow, name)


def _to_pandas(arrow, name: str):
    t = table(name)
    logical = {c.name: c.type for c in t.columns}
    mapping = {}
    for field in arrow.schema:
        wanted = _pandas_type(logical.get(field.name, ""))
        if wanted is not None:
            mapping[field.type] = wanted
    # types_mapper goes by Arrow type; every string column is wanted as string[pyarrow] and
    # every int/bool as nullable, so one entry per type is enough.
    frame = arrow.to_pandas(types_mapper=mapping.get, date_as_object=False)
    for column, kind in logical.items():
        if column in frame and kind == "category" and frame[column].dtype.name != "category":
            frame[column] = frame[column].astype("category")
    return frame
