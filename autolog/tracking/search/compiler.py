"""Compile a parsed filter and order keys into parameterised SQL for one EntitySpec.

Every value travels as a bound parameter; only column names and aliases taken from
the spec ever become SQL text. Each (kind, key) the search mentions gets one join on
its key table: an inner join when a comparison needs the key to exist, a left join
when only ``IS NULL`` or an order key mentions it.

Missing values sort last. So that the first order key can be read in index order and the
search stop after one page, a search ordered by a key is run in two parts: the rows that
have a value for the first order key (read from its index, in order), then, only when the
page is not full yet, the rows that lack one. Where the planner must be told the join order
(``Dialect.driving_join``), a probe reads at most ``_PROBE_ROWS`` rows of the filter alone: when
it picks fewer, the filter's first table drives the join and its rows are sorted; otherwise
the first order key's index does, and the search stops after one page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import SearchSyntaxError
from .nodes import ATTRIBUTE, DATASET, METRIC, Comparison

__all__ = ["CompiledSearch", "compile_search"]

_NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN")
_TEXT_OPS = ("=", "!=", "LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE", "IN", "NOT IN")
_PROBE_ROWS = 1000  # a filter matching fewer rows than this is read first, and its rows sorted
_KIND_NAMES = {METRIC: "metrics", "param": "params", "tag": "tags", ATTRIBUTE: "attributes", DATASET: "datasets"}


@dataclass
class _Join:
    alias: str
    table: str
    key: str
    inner: bool = False
    missing: bool = False
    value_not_null: bool = False
    has_tie_breakers: bool = False
    index_condition: str = ""  # what the key's rows meet in every index of its table (stated so they are used)
    value_index: str = ""  # the table's (key, value, entity id) index (KeyTable.value_index)
    equality: object = None  # True: every filter on the key's value is = or IN; False: another test; None: none


@dataclass
class CompiledSearch:
    """Joins, conditions and order terms; ``statement`` assembles the SELECT."""

    spec: object
    dialect: object
    joins: dict = field(default_factory=dict)
    where: list = field(default_factory=list)
    where_params: list = field(default_factory=list)
    order_terms: list = field(default_factory=list)
    lead: object = None  # (column, join or None, direction) of the first order key
    selective: bool = False  # the filter alone picks few rows (see fetch)
    filter_driver: object = None  # the join of the filter's first key comparison (None: the entity's table)
    filter_seen: bool = False

    def statement(self, columns: str, base_where=(), base_params=(), limit=None, offset=0, part=None,
                  ordered: bool = True) -> tuple:
        """Return (sql, params): SELECT ``columns`` with the base conditions, the filter and the order.

        ``part`` "present" or "missing" selects the rows that have (or lack) a value for the first
        order key, ordered without testing for missing values; None selects every row.
        """
        spec, mark = self.spec, self.dialect.placeholder
        joins, where, terms = list(self.joins.values()), list(base_where) + self.where, list(self.order_terms)
        driver, forced = None, False
        if part is not None:
            column, lead_join, direction = self.lead
            where.append(f"{column} IS {'NOT ' if part == 'present' else ''}NULL")
            # present: the lead value in index order; missing: its rank (NaN before missing) only
            terms = [f"{column} {direction}"] + terms[2:] if part == "present" else terms[:1] + terms[2:]
            forced = part == "present"
            driver = (self.filter_driver if self.selective else lead_join) if forced else None
        sql, params = [f"SELECT {columns} FROM {self._from(joins, driver, forced, part)}"], []
        for join in joins:
            params.append(join.key)
        if where:
            sql.append("WHERE " + " AND ".join(where))
        params += list(base_params) + self.where_params
        terms += self._tie_terms(part, len(terms))
        if ordered:
            sql.append("ORDER BY " + ", ".join(terms))
        if limit is not None:
            sql.append(f"LIMIT {mark} OFFSET {mark}")
            params += [int(limit), int(offset)]
        return " ".join(sql), params

    def _tie_terms(self, part, order_terms: int) -> list:
        """The tie-breakers; read from the first order key's own table (copies of the entity's columns,
        indexed after its value) when that key alone orders the rows, so that its index gives the order."""
        spec, lead_join = self.spec, self.lead[1] if self.lead else None
        prefix = f"{spec.alias}."
        if part == "present" and order_terms == 1 and lead_join is not None and lead_join.has_tie_breakers:
            prefix = f"{lead_join.alias}."
        return [f"{prefix}{column.split('.', 1)[1]} {'ASC' if asc else 'DESC'}" for column, asc in spec.tie_breakers]

    def _from(self, joins: list, driver, forced: bool, part) -> str:
        """The FROM clause; ``joins`` is reordered in place to match its placeholders."""
        spec, mark = self.spec, self.dialect.placeholder

        def on(join, other=spec.alias) -> str:
            equal = " AND ".join(f"{join.alias}.{c} = {other}.{c}" for c in spec.join_columns)
            condition = f" AND {join.index_condition}" if join.index_condition else ""
            return f"{equal} AND {join.alias}.key = {mark}{condition}"

        lead_join = self.lead[1] if self.lead else None

        def table(join) -> str:  # a key tested only for equal values is read through its value index
            hinted = join.value_index and join.equality and join is not lead_join
            return f"{join.table} {join.alias}{self.dialect.index_hint(join.value_index) if hinted else ''}"

        inner = self.dialect.driving_join if forced else "JOIN"
        is_inner = [join for join in joins if join.inner or (part == "present" and join is lead_join)]
        if driver is None:
            return f"{spec.table} {spec.alias}" + "".join(
                f" {inner if join in is_inner else 'LEFT JOIN'} {table(join)} ON {on(join)}"
                for join in joins)
        # the driver's rows are tested against the other required keys before the entity's row is read
        tested = [join for join in is_inner if join is not driver] if forced else []
        rest = [join for join in joins if join is not driver and join not in tested]
        joins[:] = tested + [driver] + rest  # the order of the placeholders below
        text = table(driver) + "".join(f" {inner} {table(join)} ON {on(join, driver.alias)}" for join in tested)
        text += f" {inner} {spec.table} {spec.alias} ON {on(driver)}"
        for join in rest:
            text += f" {inner if join in is_inner else 'LEFT JOIN'} {table(join)} ON {on(join)}"
        return text

    def fetch(self, query, columns: str, base_where=(), base_params=(), limit=100, offset=0) -> list:
        """Rows ``offset`` to ``offset + limit`` of the search, through ``query(sql, params) -> rows``."""
        if self.lead is None:
            return query(*self.statement(columns, base_where, base_params, limit, offset))
        if self.where and self.dialect.driving_join != "JOIN":  # the planner needs to be told: ask the data
            probe = self.statement("1", base_where, base_params, _PROBE_ROWS, 0, ordered=False)
            self.selective = len(query(*probe)) < _PROBE_ROWS
        rows = query(*self.statement(columns, base_where, base_params, limit, offset, "present"))
        if len(rows) >= limit:
            return rows
        if rows or offset == 0:
            missing_offset = 0
        else:  # the page starts past the rows that have a value: skip over them
            sql, params = self.statement("COUNT(*)", base_where, base_params, part="present", ordered=False)
            missing_offset = max(0, offset - query(sql, params)[0][0])
        return rows + query(*self.statement(columns, base_where, base_params, limit - len(rows), missing_offset,
                                            "missing"))


def compile_search(spec, tree, order_keys, dialect, text: str = "") -> CompiledSearch:
    """Compile a Conjunction (or None) and OrderKeys for ``spec``.

    Raises SearchSyntaxError when a key is unknown for this entity or a value has the wrong
    type for its key (numbers for metrics and numeric attributes, strings for the rest).
    """
    compiled = CompiledSearch(spec, dialect)
    for clause in (tree.clauses if tree is not None else ()):
        _add_comparison(compiled, clause, text)
    for order_key in order_keys:
        _add_order(compiled, order_key)
    return compiled


def _fail(what: str, text: str, position: int, problem: str):
    raise SearchSyntaxError(what, text, position, problem)


def _attribute(spec, kind: str, key: str, what: str, text: str, position: int):
    if kind == ATTRIBUTE:
        attribute = spec.attributes.get(key.lower())
        if attribute is None:
            hint = f" (for a metric, param or tag write metrics.{key}, params.{key} or tags.{key})" \
                if spec.key_tables.get(METRIC) else ""
            _fail(what, text, position, f"unknown attribute {key!r}; {spec.entity} have "
                  f"{', '.join(sorted(spec.attributes))}{hint}")
        return attribute
    if kind not in spec.key_tables:
        _fail(what, text, position, f"{spec.entity} have no {_KIND_NAMES[kind]}")
    return None


def _join_for(compiled: CompiledSearch, kind: str, key: str) -> _Join:
    join = compiled.joins.get((kind, key))
    if join is None:
        key_table = compiled.spec.key_tables[kind]
        alias = f"k{len(compiled.joins)}"
        join = _Join(alias, key_table.table, key, has_tie_breakers=key_table.has_tie_breakers,
                     index_condition=key_table.index_condition(key, f"{alias}.key"), value_index=key_table.value_index)
        compiled.joins[(kind, key)] = join
    return join


def _add_dataset_comparison(compiled: CompiledSearch, clause: Comparison, text: str) -> None:
    """``datasets.name|digest|context <op> <value>``: the run read a dataset that matches."""
    spec = compiled.spec
    template = spec.dataset_keys.get(clause.key.lower())
    if template is None:
        known = ", ".join(f"datasets.{key}" for key in spec.dataset_keys)
        _fail("filter", text, clause.position, f"{spec.entity} have no datasets.{clause.key}"
              + (f" (use {known})" if known else ""))
    if clause.op in ("IS NULL", "IS NOT NULL"):
        _fail("filter", text, clause.position, f"datasets.{clause.key} compares with values, not {clause.op}")
    head, _, rest = template.partition("{test:")
    column, _, tail = rest.partition("}")
    sql, params = _condition(compiled.dialect, clause, column, False, None, text)
    compiled.where.append(head + sql + tail)
    compiled.where_params.extend(params)


def _add_comparison(compiled: CompiledSearch, clause: Comparison, text: str) -> None:
    spec = compiled.spec
    if clause.kind == DATASET:
        _add_dataset_comparison(compiled, clause, text)
        return
    attribute = _attribute(spec, clause.kind, clause.key, "filter", text, clause.position)
    if attribute is not None:
        compiled.filter_seen = True
        column, numeric, nan_column = f"{spec.alias}.{attribute.column}", attribute.numeric, None
        if clause.op in ("IS NULL", "IS NOT NULL"):
            compiled.where.append(f"{column} {clause.op}")
            return
    else:
        key_table = spec.key_tables[clause.kind]
        join = _join_for(compiled, clause.kind, clause.key)
        join.equality = join.equality is not False and clause.op in ("=", "IN")
        if clause.op == "IS NULL":
            join.missing = True
            compiled.where.append(f"{join.alias}.{spec.join_columns[0]} IS NULL")
            return
        join.inner = True
        if not compiled.filter_seen:
            compiled.filter_driver, compiled.filter_seen = join, True
        if clause.op == "IS NOT NULL":
            return
        column, numeric = f"{join.alias}.value", key_table.numeric
        nan_column = f"{join.alias}.{key_table.nan_column}" if key_table.nan_column else None
        join.value_not_null = join.value_not_null or not (nan_column and clause.op == "!=")
    sql, params = _condition(compiled.dialect, clause, column, numeric, nan_column, text)
    compiled.where.append(sql)
    compiled.where_params.extend(params)


def _condition(dialect, clause: Comparison, column: str, numeric: bool, nan_column, text: str) -> tuple:
    name = f"{_KIND_NAMES[clause.kind]}.{clause.key}" if clause.kind != ATTRIBUTE else clause.key
    allowed = _NUMERIC_OPS if numeric else _TEXT_OPS
    if clause.op not in allowed:
        kind = "a number" if numeric else "text"
        _fail("filter", text, clause.position, f"{name} is {kind}: {clause.op} does not apply "
              f"(use {', '.join(allowed)})")
    values = clause.value if isinstance(clause.value, tuple) else (clause.value,)
    for value in values:
        if numeric and not isinstance(value, float):
            _fail("filter", text, clause.value_position, f"{name} compares with numbers, not {value!r}")
        if not numeric and not isinstance(value, str):
            _fail("filter", text, clause.value_position,
                  f"{name} compares with quoted strings: write '{_number_text(value)}'")
    values = [_bindable(v) for v in values]
    mark = dialect.placeholder
    if clause.op in ("IN", "NOT IN"):
        return f"{column} {clause.op} ({', '.join([mark] * len(values))})", values
    if clause.op in ("LIKE", "NOT LIKE"):
        return dialect.like(column, clause.op == "NOT LIKE"), [dialect.like_param(values[0])]
    if clause.op in ("ILIKE", "NOT ILIKE"):
        return dialect.ilike(column, clause.op == "NOT ILIKE"), values
    if clause.op == "!=" and nan_column:
        return f"({column} != {mark} OR {nan_column} = 1)", values
    return f"{column} {clause.op} {mark}", values


def _number_text(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _bindable(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 62:
        return int(value)
    return value


def _add_order(compiled: CompiledSearch, order_key) -> None:
    spec = compiled.spec
    if order_key.kind == DATASET:
        _fail("order key", order_key.text, order_key.position, "results cannot be ordered by datasets")
    attribute = _attribute(spec, order_key.kind, order_key.key, "order key", order_key.text, order_key.position)
    direction = "ASC" if order_key.ascending else "DESC"
    join = None
    if attribute is not None:
        column = f"{spec.alias}.{attribute.column}"
        null_term = f"({column} IS NULL)"
    else:
        join = _join_for(compiled, order_key.kind, order_key.key)
        column = f"{join.alias}.value"
        nan_column = spec.key_tables[order_key.kind].nan_column
        # as MLflow: values, then NaN, then missing, whatever the direction
        null_term = (f"(CASE WHEN {join.alias}.{nan_column} = 1 THEN 1 WHEN {column} IS NULL THEN 2 ELSE 0 END)"
                     if nan_column else f"({column} IS NULL)")
    if compiled.lead is None:
        compiled.lead = (column, join, direction)
    compiled.order_terms += [null_term, f"{column} {direction}"]
