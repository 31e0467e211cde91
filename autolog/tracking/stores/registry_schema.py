"""The model registry's tables, apart from its code: a fresh store creates them without loading the registry."""

__all__ = ["REGISTRY_TABLES"]

REGISTRY_TABLES: list = [
    """CREATE TABLE IF NOT EXISTS registered_models (
        name TEXT PRIMARY KEY,
        creation_time BIGINT,
        last_updated_time BIGINT,
        description TEXT,
        next_version INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE IF NOT EXISTS registered_model_tags (
        name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY (name, key)
    )""",
    """CREATE TABLE IF NOT EXISTS model_versions (
        name TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
        version INTEGER NOT NULL,
        creation_time BIGINT,
        last_updated_time BIGINT,
        description TEXT,
        current_stage TEXT NOT NULL DEFAULT 'None',
        source TEXT,
        run_id TEXT,
        status TEXT NOT NULL,
        storage_location TEXT,
        PRIMARY KEY (name, version)
    )""",
    "CREATE INDEX IF NOT EXISTS model_versions_by_stage ON model_versions (name, current_stage, version)",
    "CREATE INDEX IF NOT EXISTS model_versions_by_run ON model_versions (run_id)",
    """CREATE TABLE IF NOT EXISTS model_version_tags (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY (name, version, key),
        FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE
    )""",
    """CREATE TABLE IF NOT EXISTS registered_model_aliases (
        name TEXT NOT NULL,
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE
    )""",
]
