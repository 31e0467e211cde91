"""The model registry on the SQL stores: registered models, versions, stages, aliases and tags.

Version numbers come from a per-model counter bumped inside the write transaction that
inserts the version, so concurrent registrations get distinct numbers and a deleted
version's number is never reused. Stage transitions (with the archiving of the versions
they replace) happen in one write transaction too.
"""

from __future__ import annotations

import time

from ..entities import ModelVersion, PagedList, RegisteredModel
from ..exceptions import AlreadyExistsError, NotFoundError
from ..registry_names import STAGES, canonical_stage, validate_model_name, validate_version
from .locations import from_stored
from .sql_model_versions import PENDING, READY, SqlModelVersionsMixin, row_lock
from .registry_schema import REGISTRY_TABLES
from .sql_search import paged_search

__all__ = ["SqlRegistryMixin", "REGISTRY_TABLES", "PENDING", "READY"]

_MODEL_COLUMNS = "m.name, m.creation_time, m.last_updated_time, m.description"
_VERSION_COLUMNS = ("v.name, v.version, v.creation_time, v.last_updated_time, v.current_stage, v.description, "
                    "v.source, v.run_id, v.status, v.storage_location")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _version_from_row(row, tags: dict, aliases: list, artifact_root: str) -> ModelVersion:
    name, version, created, updated, stage, description, source, run_id, status, location = row
    return ModelVersion(name, str(version), created, updated, stage, description, source, run_id, status,
                        tags, aliases, from_stored(location, artifact_root))


class SqlRegistryMixin(SqlModelVersionsMixin):
    """Registered models, versions, stages, aliases and tags (mixed into SqlStore)."""

    # -- reading ----------------------------------------------------------
    def _require_model(self, cur, name: str) -> None:
        # the model's row is locked for the transaction, so one model's registry writes take turns
        if cur.execute(f"SELECT 1 FROM registered_models WHERE name = ?{row_lock(self.db)}",
                       (name,)).fetchone() is None:
            raise NotFoundError(f"No registered model named {name!r}")

    def _require_version(self, cur, name: str, version: int) -> None:
        self._require_model(cur, name)
        if cur.execute("SELECT 1 FROM model_versions WHERE name = ? AND version = ?",
                       (name, version)).fetchone() is None:
            raise NotFoundError(f"Registered model {name!r} has no version {version}")

    def _versions_from_rows(self, rows) -> list:
        """ModelVersions with their tags and aliases, two queries for all rows."""
        keys = [(row[0], row[1]) for row in rows]
        tags: dict = {key: {} for key in keys}
        aliases: dict = {key: [] for key in keys}
        for name in {name for name, _ in keys}:
            for version, key, value in self.db.query(
                    "SELECT version, key, value FROM model_version_tags WHERE name = ?", (name,)):
                tags.get((name, version), {})[key] = value
            for version, alias in self.db.query(
                    "SELECT version, alias FROM registered_model_aliases WHERE name = ? ORDER BY alias", (name,)):
                aliases.get((name, version), []).append(alias)
        return [_version_from_row(row, tags[(row[0], row[1])], aliases[(row[0], row[1])], self.artifact_root)
                for row in rows]

    def _query_versions(self, where: str, params) -> list:
        rows = self.db.query(f"SELECT {_VERSION_COLUMNS} FROM model_versions v WHERE {where}", params)
        return self._versions_from_rows(rows)

    def _model_from_row(self, row) -> RegisteredModel:
        name, created, updated, description = row
        tags = dict(self.db.query("SELECT key, value FROM registered_model_tags WHERE name = ?", (name,)))
        aliases = {alias: str(version) for alias, version in self.db.query(
            "SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias", (name,))}
        return RegisteredModel(name, created, updated, description or "", tags, aliases,
                               self._latest_versions(name, STAGES))

    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage; raises NotFoundError."""
        rows = self.db.query(f"SELECT {_MODEL_COLUMNS} FROM registered_models m WHERE m.name = ?", (name,))
        if not rows:
            raise NotFoundError(f"No registered model named {name!r}")
        return self._model_from_row(rows[0])

    def get_model_version(self, name: str, version) -> ModelVersion:
        """One version; raises NotFoundError for an unknown model or version."""
        number = validate_version(version)
        found = self._query_versions("v.name = ? AND v.version = ?", (name, number))
        if not found:
            self.get_registered_model(name)
            raise NotFoundError(f"Registered model {name!r} has no version {number}")
        return found[0]

    def get_latest_versions(self, name: str, stages=None) -> list:
        """The highest version in each of ``stages`` (every stage when None), in stage order.

        Raises NotFoundError for an unknown model and InvalidInputError for an unknown stage.
        """
        if isinstance(stages, str):
            stages = [stages]
        wanted = STAGES if not stages else tuple(dict.fromkeys(canonical_stage(s) for s in stages))
        self.get_registered_model_row(name)
        return self._latest_versions(name, wanted)

    def _latest_versions(self, name: str, wanted) -> list:
        rows = self.db.query(
            f"SELECT {_VERSION_COLUMNS} FROM model_versions v JOIN (SELECT current_stage, MAX(version) AS top"
            " FROM model_versions WHERE name = ? AND status = ? GROUP BY current_stage) t"
            " ON t.current_stage = v.current_stage AND t.top = v.version WHERE v.name = ?", (name, READY, name))
        by_stage = {version.current_stage: version for version in self._versions_from_rows(rows)}
        return [by_stage[stage] for stage in wanted if stage in by_stage]

    def get_registered_model_row(self, name: str) -> tuple:
        """(name, creation, update, description) of a model; raises NotFoundError."""
        rows = self.db.query(f"SELECT {_MODEL_COLUMNS} FROM registered_models m WHERE m.name = ?", (name,))
        if not rows:
            raise NotFoundError(f"No registered model named {name!r}")
        return rows[0]

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias points at; raises NotFoundError when the model or alias is unknown."""
        found = self._query_versions(
            "v.name = ? AND v.version = (SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?)",
            (name, name, alias))
        if not found:
            self.get_registered_model_row(name)
            raise NotFoundError(f"Registered model {name!r} has no alias {alias!r}")
        return found[0]

    def get_latest_version_any_stage(self, name: str) -> ModelVersion:
        """The highest ready version whatever its stage; raises NotFoundError when there is none."""
        found = self._query_versions("v.name = ? AND v.status = ? ORDER BY v.version DESC LIMIT 1", (name, READY))
        if not found:
            self.get_registered_model_row(name)
            raise NotFoundError(f"Registered model {name!r} has no versions")
        return found[0]

    def search_registered_models(self, filter_string=None, max_results=100, order_by=None,
                                 page_token=None) -> PagedList:
        """One page of registered models matching a filter on ``name`` and ``tags.*``, by name unless ordered."""
        rows, token = paged_search(self.db, "REGISTERED_MODELS", _MODEL_COLUMNS, filter_string, order_by,
                                   max_results, page_token)
        return PagedList([self._model_from_row(row) for row in rows], token)

    def search_model_versions(self, filter_string=None, max_results=1000, order_by=None,
                              page_token=None) -> PagedList:
        """One page of versions matching a filter on name, version, run_id, source, stage and ``tags.*``."""
        rows, token = paged_search(self.db, "MODEL_VERSIONS", _VERSION_COLUMNS, filter_string, order_by,
                                   max_results, page_token)
        return PagedList(self._versions_from_rows(rows), token)

    # -- registered models --------------------------------------------------
    def create_registered_model(self, name: str, tags=None, description=None) -> RegisteredModel:
        """Create an empty registered model; raises AlreadyExistsError when the name is taken."""
        validate_model_name(name)
        now = _now_ms()
        with self.db.write() as cur:
            if cur.execute("SELECT 1 FROM registered_models WHERE name = ?", (name,)).fetchone():
                raise AlreadyExistsError(f"Registered model {name!r} already exists")
            cur.execute("INSERT INTO registered_models (name, creation_time, last_updated_time, description)"
                        " VALUES (?, ?, ?, ?)", (name, now, now, description))
            cur.executemany("INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)",
                            [(name, key, str(value)) for key, value in (tags or {}).items()])
        return self.get_registered_model(name)

    def _update_model(self, name: str, sql: str, params) -> None:
        with self.db.write() as cur:
            self._require_model(cur, name)
            cur.execute(sql, params)
            cur.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", (_now_ms(), name))

    def update_registered_model(self, name: str, description) -> RegisteredModel:
        """Set a model's description; raises NotFoundError."""
        self._update_model(name, "UPDATE registered_models SET description = ? WHERE name = ?", (description, name))
        return self.get_registered_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model and its versions; raises NotFoundError or AlreadyExistsError."""
        validate_model_name(new_name)
        with self.db.write() as cur:
            self._require_model(cur, name)
            if cur.execute("SELECT 1 FROM registered_models WHERE name = ?", (new_name,)).fetchone():
                raise AlreadyExistsError(f"Registered model {new_name!r} already exists")
            cur.execute("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?",
                        (new_name, _now_ms(), name))
        return self.get_registered_model(new_name)

    def delete_registered_model(self, name: str) -> list:
        """Delete a model with its versions, tags and aliases; return the versions' storage locations."""
        with self.db.write() as cur:
            self._require_model(cur, name)
            locations = [from_stored(row[0], self.artifact_root) for row in cur.execute(
                "SELECT storage_location FROM model_versions WHERE name = ? AND storage_location IS NOT NULL",
                (name,)).fetchall()]
            cur.execute("DELETE FROM registered_models WHERE name = ?", (name,))
        return locations

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Set one tag of a registered model; raises NotFoundError."""
        self._update_model(name, "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)"
                           " ON CONFLICT (name, key) DO UPDATE SET value = excluded.value", (name, key, value))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag of a registered model; raises NotFoundError when model or tag is missing."""
        with self.db.write() as cur:
            self._require_model(cur, name)
            cur.execute("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", (name, key))
            if cur.rowcount == 0:
                raise NotFoundError(f"Registered model {name!r} has no tag {key!r}")
