"""The tracking database's tables, in SQL that SQLite and PostgreSQL both accept.

Bump SCHEMA_VERSION and append a step to MIGRATIONS when the tables change; an older
store is migrated when it is opened. A step is a list of SQL statements, or a function
``step(cursor, artifact_root)`` for a change SQL alone cannot make.
"""

import re

from ..system_keys import not_system_key_condition

SCHEMA_VERSION = 1  # raised by each migration step below

# SQLite keeps these tables in their primary key's order, with no separate rowid tree beside it: a row's
# write touches one tree fewer (PostgreSQL's dialect drops the clause). Metric segments keep their rowid:
# their rows hold arrays, and a WITHOUT ROWID tree of large rows inserted out of key order splits pages.
WITHOUT_ROWID = " WITHOUT ROWID"
_RUN_TABLES = ("runs", "params", "tags", "latest_metrics")

# Metric history is kept in packed segments: one row per (run, key, flush) holding
# arrays of steps, timestamps and values. Writes stay cheap at millions of points,
# NaN and inf survive byte for byte, and the latest value per key sits in its own
# table for searches.
TRACKING_TABLES = [
    """CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS experiments (
        experiment_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        artifact_location TEXT,
        lifecycle_stage TEXT NOT NULL DEFAULT 'active',
        creation_time BIGINT,
        last_update_time BIGINT
    )""",
    """CREATE TABLE IF NOT EXISTS experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
        key TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY (experiment_id, key)
    )""",
    """CREATE TABLE IF NOT EXISTS runs (
        run_uuid TEXT PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
        run_name TEXT,
        user_id TEXT,
        status TEXT NOT NULL,
        start_time BIGINT,
        end_time BIGINT,
        lifecycle_stage TEXT NOT NULL DEFAULT 'active',
        artifact_uri TEXT,
        deleted_time BIGINT
    )""" + WITHOUT_ROWID,
    "CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time)",
    "CREATE INDEX IF NOT EXISTS runs_by_name ON runs (run_name)",
    """CREATE TABLE IF NOT EXISTS params (
        run_uuid TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        start_time BIGINT,
        PRIMARY KEY (run_uuid, key)
    )""" + WITHOUT_ROWID,
    "CREATE INDEX IF NOT EXISTS params_by_key ON params (key, value)",
    """CREATE TABLE IF NOT EXISTS tags (
        run_uuid TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        start_time BIGINT,
        PRIMARY KEY (run_uuid, key)
    )""" + WITHOUT_ROWID,
    "CREATE INDEX IF NOT EXISTS tags_by_key ON tags (key, value)",
    """CREATE TABLE IF NOT EXISTS latest_metrics (
        run_uuid TEXT NOT NULL,
        key TEXT NOT NULL,
        value DOUBLE PRECISION,
        is_nan INTEGER NOT NULL DEFAULT 0,
        timestamp BIGINT NOT NULL,
        step BIGINT NOT NULL,
        start_time BIGINT,
        PRIMARY KEY (run_uuid, key)
    )""" + WITHOUT_ROWID,
    "CREATE INDEX IF NOT EXISTS latest_metrics_by_key ON latest_metrics (key, value)",
    """CREATE TABLE IF NOT EXISTS metric_segments (
        run_uuid TEXT NOT NULL,
        key TEXT NOT NULL,
        seq BIGINT NOT NULL,
        count INTEGER NOT NULL,
        steps BLOB NOT NULL,
        timestamps BLOB NOT NULL,
        vals BLOB NOT NULL,
        PRIMARY KEY (run_uuid, key, seq)
    )""",
]

def migrate_model_locations_to_relative(cur, artifact_root: str) -> None:
    """Store registered versions' locations relative to the artifact root (they were absolute paths)."""
    from .locations import to_stored

    rows = cur.execute("SELECT name, version, storage_location FROM model_versions"
                       " WHERE storage_location IS NOT NULL").fetchall()
    updates = [(to_stored(location, artifact_root), name, version) for name, version, location in rows
               if to_stored(location, artifact_root) != location]
    cur.executemany("UPDATE model_versions SET storage_location = ? WHERE name = ? AND version = ?", updates)


# version -> the step that brings a store of that version to version + 1
MIGRATIONS: dict = {1: migrate_model_locations_to_relative}
SCHEMA_VERSION = 2



def logged_models_and_inputs() -> list:
    """MLflow 3's logged models (with their tags, params and metrics), the datasets runs record as
    inputs, and the models runs read and write."""
    return [
        """CREATE TABLE IF NOT EXISTS logged_models (
            model_id TEXT PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
            name TEXT NOT NULL,
            artifact_location TEXT NOT NULL,
            creation_timestamp BIGINT NOT NULL,
            last_updated_timestamp BIGINT NOT NULL,
            model_type TEXT,
            source_run_id TEXT,
            status TEXT NOT NULL,
            status_message TEXT,
            lifecycle_stage TEXT NOT NULL DEFAULT 'active'
        )""",
        "CREATE INDEX IF NOT EXISTS logged_models_by_experiment"
        " ON logged_models (experiment_id, lifecycle_stage, creation_timestamp)",
        "CREATE INDEX IF NOT EXISTS logged_models_by_run ON logged_models (source_run_id, name)",
        """CREATE TABLE IF NOT EXISTS logged_model_tags (
            model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT,
            PRIMARY KEY (model_id, key)
        )""",
        """CREATE TABLE IF NOT EXISTS logged_model_params (
            model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        )""",
        """CREATE TABLE IF NOT EXISTS logged_model_metrics (
            model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value DOUBLE PRECISION,
            is_nan INTEGER NOT NULL DEFAULT 0,
            timestamp BIGINT NOT NULL,
            step BIGINT NOT NULL,
            run_id TEXT,
            dataset_name TEXT,
            dataset_digest TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS logged_model_metrics_by_key ON logged_model_metrics (model_id, key)",
        """CREATE TABLE IF NOT EXISTS datasets (
            dataset_uuid TEXT PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            source_type TEXT,
            source TEXT,
            schema TEXT,
            profile TEXT,
            UNIQUE (experiment_id, name, digest)
        )""",
        """CREATE TABLE IF NOT EXISTS run_dataset_inputs (
            run_uuid TEXT NOT NULL,
            dataset_uuid TEXT NOT NULL REFERENCES datasets(dataset_uuid),
            seq INTEGER NOT NULL,
            PRIMARY KEY (run_uuid, dataset_uuid)
        )""",
        "CREATE INDEX IF NOT EXISTS run_dataset_inputs_by_dataset ON run_dataset_inputs (dataset_uuid)",
        """CREATE TABLE IF NOT EXISTS run_dataset_input_tags (
            run_uuid TEXT NOT NULL,
            dataset_uuid TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT,
            PRIMARY KEY (run_uuid, dataset_uuid, key)
        )""",
        """CREATE TABLE IF NOT EXISTS run_model_inputs (
            run_uuid TEXT NOT NULL,
            model_id TEXT NOT NULL,
            PRIMARY KEY (run_uuid, model_id)
        )""",
        """CREATE TABLE IF NOT EXISTS run_model_outputs (
            run_uuid TEXT NOT NULL,
            model_id TEXT NOT NULL,
            step BIGINT NOT NULL,
            PRIMARY KEY (run_uuid, model_id)
        )""",
    ]


# Logged models and inputs (a fresh store creates them with the rest).
TRACKING_TABLES.extend(logged_models_and_inputs())
MIGRATIONS[SCHEMA_VERSION] = logged_models_and_inputs()
SCHEMA_VERSION += 1


def access_token_tables() -> list:
    """Migration step: the tracking server's access tokens, kept as SHA-256 hashes, never in clear."""
    return [
        """CREATE TABLE IF NOT EXISTS access_tokens (
            token_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_time BIGINT NOT NULL,
            revoked_time BIGINT
        )""",
        "CREATE INDEX IF NOT EXISTS access_tokens_by_name ON access_tokens (name)",
    ]


TRACKING_TABLES.extend(access_token_tables())
MIGRATIONS[SCHEMA_VERSION] = access_token_tables()
SCHEMA_VERSION += 1


def experiment_permission_tables() -> list:
    """Migration step: per-experiment permissions of the tracking server's users (read, edit, manage)."""
    return [
        """CREATE TABLE IF NOT EXISTS experiment_permissions (
            experiment_id TEXT NOT NULL,
            user_name TEXT NOT NULL,
            permission TEXT NOT NULL,
            is_creator INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (experiment_id, user_name)
        )""",
        "CREATE INDEX IF NOT EXISTS experiment_permissions_by_user ON experiment_permissions (user_name)",
    ]


TRACKING_TABLES.extend(experiment_permission_tables())
MIGRATIONS[SCHEMA_VERSION] = experiment_permission_tables()
SCHEMA_VERSION += 1


# The key tables a run search orders by, each with its old (key, value) index.
_ORDERED_KEY_TABLES = (("params", "params_by_key"), ("tags", "tags_by_key"),
                       ("latest_metrics", "latest_metrics_by_key"))


def _start_time_triggers(table: str, postgres: bool) -> list:
    """Statements that fill ``table.start_time`` from the run's when a row is inserted without one."""
    if postgres:
        return [f"DROP TRIGGER IF EXISTS {table}_start_time ON {table}",
                f"CREATE TRIGGER {table}_start_time BEFORE INSERT ON {table} FOR EACH ROW"
                " EXECUTE FUNCTION autolog_copy_run_start_time()"]
    return [f"""CREATE TRIGGER IF NOT EXISTS {table}_start_time AFTER INSERT ON {table}
        FOR EACH ROW WHEN NEW.start_time IS NULL BEGIN
        UPDATE {table} SET start_time = (SELECT start_time FROM runs WHERE run_uuid = NEW.run_uuid)
        WHERE rowid = NEW.rowid; END"""]


def _postgres_trigger_functions() -> list:
    return ["""CREATE OR REPLACE FUNCTION autolog_copy_run_start_time() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.start_time IS NULL THEN
                NEW.start_time := (SELECT start_time FROM runs WHERE run_uuid = NEW.run_uuid);
            END IF;
            RETURN NEW;
        END $$""",
            """CREATE OR REPLACE FUNCTION autolog_follow_run_start_time() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE params SET start_time = NEW.start_time WHERE run_uuid = NEW.run_uuid;
            UPDATE tags SET start_time = NEW.start_time WHERE run_uuid = NEW.run_uuid;
            UPDATE latest_metrics SET start_time = NEW.start_time WHERE run_uuid = NEW.run_uuid;
            RETURN NULL;
        END $$""",
            "DROP TRIGGER IF EXISTS runs_start_time ON runs",
            "CREATE TRIGGER runs_start_time AFTER UPDATE OF start_time ON runs FOR EACH ROW"
            " EXECUTE FUNCTION autolog_follow_run_start_time()"]


_SQLITE_FOLLOW_START_TIME = """CREATE TRIGGER IF NOT EXISTS runs_start_time AFTER UPDATE OF start_time ON runs
    FOR EACH ROW BEGIN
    UPDATE params SET start_time = NEW.start_time WHERE run_uuid = NEW.run_uuid;
    UPDATE tags SET start_time = NEW.start_time WHERE run_uuid = NEW.run_uuid;
    UPDATE latest_metrics SET start_time = NEW.start_time WHERE run_uuid = NEW.run_uuid; END"""


def _ordered_key_statements(postgres: bool) -> list:
    """The indexes and triggers of ``key_tables_in_run_order`` once the start_time columns exist (idempotent)."""
    statements = _postgres_trigger_functions() if postgres else [_SQLITE_FOLLOW_START_TIME]
    for table, old_index in _ORDERED_KEY_TABLES:
        statements += [f"DROP INDEX IF EXISTS {old_index}",
                       f"CREATE INDEX IF NOT EXISTS {table}_in_order"
                       f" ON {table} (key, value, start_time DESC, run_uuid)"]
        if table != "latest_metrics":  # metric values seldom tie: reading the index backwards is enough
            statements.append(f"CREATE INDEX IF NOT EXISTS {table}_in_reverse_order"
                              f" ON {table} (key, value DESC, start_time DESC, run_uuid)")
        statements += _start_time_triggers(table, postgres)
    return statements


def key_tables_in_run_order(cur, artifact_root: str = "") -> None:
    """Migration step: params, tags and latest metrics carry their run's start time, and are indexed by
    (key, value, start time, run id) in both value directions (metrics: one), so that a search ordered by one of them
    reads one page from an index even when many runs share a value (ties go by start time, then run id).
    Triggers copy the start time on every insert, whatever the write path, and follow a run's change.
    (A new store's tables have the column from the start.)"""
    postgres = getattr(cur, "dialect", "sqlite") == "postgresql"
    for table, _old_index in _ORDERED_KEY_TABLES:
        columns = {row[1] for row in cur.execute(f"PRAGMA table_info({table})").fetchall()} if not postgres else \
            {row[0] for row in cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                                           " AND table_schema = current_schema()", (table,)).fetchall()}
        if "start_time" not in columns:
            cur.execute(f"ALTER TABLE {table} ADD COLUMN start_time BIGINT")
            cur.execute(f"UPDATE {table} SET start_time = (SELECT start_time FROM runs"
                        f" WHERE runs.run_uuid = {table}.run_uuid)")
    for statement in _ordered_key_statements(postgres):
        cur.execute(statement)


def sqlite_creation_statements(entries) -> list:
    """``entries`` (table lists that may hold Python steps) as plain SQLite statements for a new, empty
    store: a Python step contributes the statements it comes to there. Raises KeyError for an unknown step."""
    fresh = {key_tables_in_run_order: lambda: _ordered_key_statements(postgres=False),
             start_times_written_by_the_store: lambda: _insert_trigger_drops(postgres=False),
             run_tables_without_rowid: list, key_value_statistics: list}
    return _without_undone_steps([statement for entry in entries
                                  for statement in ((entry,) if isinstance(entry, str) else fresh[entry]())])


def _without_undone_steps(statements: list) -> list:
    """``statements`` for an empty database without what a later step undoes: an index or trigger created and
    then dropped is neither created nor dropped, and a drop of something never created goes (the final schema
    in fewer statements; a test compares it with a store migrated step by step). Plain string work rather
    than regular expressions: a new store's process pays for this once, before its first write."""
    kept: list = []
    for statement in statements:
        dropped = _dropped_object(statement)
        if dropped:
            kept = [(earlier, made) for earlier, made in kept if made != dropped]
        else:
            kept.append((statement, _created_object(statement)))
    return [statement for statement, _made in kept]


def _created_object(statement: str):
    """(kind, name) that ``CREATE [UNIQUE] INDEX|TRIGGER IF NOT EXISTS name ...`` makes, else None."""
    words = statement.split(None, 7)
    if words[:2] == ["CREATE", "UNIQUE"]:
        del words[1]
    if len(words) < 6 or words[0] != "CREATE" or words[1] not in ("INDEX", "TRIGGER") \
            or words[2:5] != ["IF", "NOT", "EXISTS"]:
        return None
    name = words[5]
    end = next((i for i, char in enumerate(name) if not (char.isalnum() or char == "_")), len(name))
    return (words[1], name[:end]) if end else None


def _dropped_object(statement: str):
    """(kind, name) of a bare ``DROP INDEX|TRIGGER IF EXISTS name``, else None."""
    words = statement.split()
    if len(words) == 5 and words[0] == "DROP" and words[1] in ("INDEX", "TRIGGER") and words[2:4] == ["IF", "EXISTS"] \
            and words[4].replace("_", "a").isalnum():
        return words[1], words[4]
    return None


TRACKING_TABLES.append(key_tables_in_run_order)
MIGRATIONS[SCHEMA_VERSION] = key_tables_in_run_order
SCHEMA_VERSION += 1


def _system_tags_ascending_only() -> list:
    """Migration step: system tags (every run has several; few searches order by them) leave the index of
    descending tag values, which costs each run's write one index entry a tag; an order on them reads the
    ascending index (backwards for a descending order, sorting each run of equal values)."""
    condition = not_system_key_condition()
    return ["DROP INDEX IF EXISTS tags_in_reverse_order",
            "CREATE INDEX IF NOT EXISTS tags_in_reverse_order"
            f" ON tags (key, value DESC, start_time DESC, run_uuid) WHERE {condition}"]


TRACKING_TABLES.extend(_system_tags_ascending_only())
MIGRATIONS[SCHEMA_VERSION] = _system_tags_ascending_only()
SCHEMA_VERSION += 1


def _insert_trigger_drops(postgres: bool) -> list:
    return [f"DROP TRIGGER IF EXISTS {table}_start_time" + (f" ON {table}" if postgres else "")
            for table, _old_index in _ORDERED_KEY_TABLES]


def start_times_written_by_the_store(cur, artifact_root: str = "") -> None:
    """Migration step: every write of params, tags and latest metrics states the run's start time, so the
    triggers that filled it in on insert go (each cost every row's insert a trigger call); the trigger that
    follows a change of a run's start time stays."""
    for statement in _insert_trigger_drops(getattr(cur, "dialect", "sqlite") == "postgresql"):
        cur.execute(statement)


TRACKING_TABLES.append(start_times_written_by_the_store)
MIGRATIONS[SCHEMA_VERSION] = start_times_written_by_the_store
SCHEMA_VERSION += 1


def run_tables_without_rowid(cur, artifact_root: str = "") -> None:
    """Migration step (SQLite): runs, params, tags and latest metrics are rebuilt as
    WITHOUT ROWID tables, kept in their primary key's order, so that writing a row touches one tree fewer
    (a new store creates them so; PostgreSQL has no rowid and nothing to do)."""
    if getattr(cur, "dialect", "sqlite") == "postgresql":
        return
    stored = dict(cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    tables = [table for table in _RUN_TABLES if WITHOUT_ROWID.strip() not in stored[table].upper()]
    if not tables:
        return
    # indexes and triggers go with their tables (and a trigger must not name a table while it is rebuilt)
    marks = ", ".join("?" * len(tables))
    dependents = cur.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND (type = 'trigger'"
                             f" OR (type = 'index' AND tbl_name IN ({marks})))", tables).fetchall()
    for kind, name, _sql in dependents:
        cur.execute(f"DROP {kind.upper()} IF EXISTS {name}")
    for table in tables:
        columns = ", ".join(row[1] for row in cur.execute(f"PRAGMA table_info({table})").fetchall())
        cur.execute(re.sub(r'^CREATE TABLE\s+"?\w+"?', f"CREATE TABLE {table}_rebuilt", stored[table]).rstrip()
                    + WITHOUT_ROWID)
        cur.execute(f"INSERT INTO {table}_rebuilt ({columns}) SELECT {columns} FROM {table}")
        cur.execute(f"DROP TABLE {table}")
        cur.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
    for _kind, _name, sql in dependents:
        cur.execute(sql)


TRACKING_TABLES.append(run_tables_without_rowid)
MIGRATIONS[SCHEMA_VERSION] = run_tables_without_rowid
SCHEMA_VERSION += 1


def _params_by_value() -> list:
    """Migration step: params indexed by (key, value, run id). A search that filters on a param's value
    and orders by another key reads runs in that key's order and tests each against the filter: one probe
    of this index's small (key, value) range, read alone, instead of a probe of the primary key and a
    read of the row."""
    return ["CREATE INDEX IF NOT EXISTS params_by_value ON params (key, value, run_uuid)"]


TRACKING_TABLES.extend(_params_by_value())
MIGRATIONS[SCHEMA_VERSION] = _params_by_value()
SCHEMA_VERSION += 1


def key_value_statistics(cur, artifact_root: str = "") -> None:
    """Migration step (PostgreSQL; nothing on SQLite): statistics on the (key, value) pairs of params and
    tags. The planner otherwise multiplies how often a key occurs by how often a value occurs in any
    key: a value most runs share under one key (``params.objective = 'binary'``) looked rare, a search
    filtering on two such params was planned as if it picked a few runs, and it sorted thousands."""
    if getattr(cur, "dialect", "sqlite") != "postgresql":
        return
    for table in ("params", "tags"):
        cur.execute(f"CREATE STATISTICS IF NOT EXISTS {table}_key_value (mcv) ON key, value FROM {table}")
        cur.execute(f"ANALYZE {table}")


TRACKING_TABLES.append(key_value_statistics)
MIGRATIONS[SCHEMA_VERSION] = key_value_statistics
SCHEMA_VERSION += 1
