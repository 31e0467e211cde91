"""Writing model versions: creation with atomic numbering, stages, aliases, tags, deletion."""

from __future__ import annotations

import time

from ..exceptions import InvalidInputError, NotFoundError
from .locations import from_stored, to_stored
from ..registry_names import canonical_stage, validate_alias, validate_model_name, validate_version

__all__ = ["SqlModelVersionsMixin", "PENDING", "READY", "REGISTRATION_TAG", "row_lock"]

PENDING = "PENDING_REGISTRATION"
READY = "READY"
REGISTRATION_TAG = "autolog.registration"  # who copies a pending version's files, and where (see registration.py)


def row_lock(database) -> str:
    """The clause that locks selected rows until the transaction ends ("" where writers never overlap,
    as on SQLite, whose write transactions take the whole database)."""
    return getattr(database, "row_lock", "")


def _now_ms() -> int:
    return int(time.time() * 1000)


class SqlModelVersionsMixin:
    """The write half of the registry's versions; SqlRegistryMixin adds models and reads."""

    def _touch(self, cur, name: str, version=None) -> None:
        now = _now_ms()
        cur.execute("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", (now, name))
        if version is not None:
            cur.execute("UPDATE model_versions SET last_updated_time = ? WHERE name = ? AND version = ?",
                        (now, name, version))

    def create_model_version(self, name: str, source: str, run_id=None, tags=None, description=None,
                             status: str = PENDING):
        """Add the next version of ``name`` (numbered inside the write transaction) and return it.

        The version starts PENDING_REGISTRATION until ``finish_model_version`` records where its
        files are. Raises NotFoundError when the model does not exist.
        """
        validate_model_name(name)
        now = _now_ms()
        with self.db.write() as cur:
            row = cur.execute(f"SELECT next_version FROM registered_models WHERE name = ?{row_lock(self.db)}",
                              (name,)).fetchone()
            if row is None:
                raise NotFoundError(f"No registered model named {name!r}; create it first (register_model does)")
            version = row[0]
            cur.execute("UPDATE registered_models SET next_version = ?, last_updated_time = ? WHERE name = ?",
                        (version + 1, now, name))
            cur.execute("INSERT INTO model_versions (name, version, creation_time, last_updated_time, description,"
                        " current_stage, source, run_id, status) VALUES (?, ?, ?, ?, ?, 'None', ?, ?, ?)",
                        (name, version, now, now, description, source, run_id, status))
            cur.executemany("INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)",
                            [(name, version, key, str(value)) for key, value in (tags or {}).items()])
        return self.get_model_version(name, version)

    def finish_model_version(self, name: str, version, storage_location: str):
        """Record where a pending version's files are and mark it READY; return it."""
        number = validate_version(version)
        with self.db.write() as cur:
            self._require_version(cur, name, number)
            cur.execute("UPDATE model_versions SET storage_location = ?, status = ? WHERE name = ? AND version = ?",
                        (to_stored(storage_location, self.artifact_root), READY, name, number))
            cur.execute("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
                        (name, number, REGISTRATION_TAG))
            self._touch(cur, name, number)
        return self.get_model_version(name, number)

    def pending_model_versions(self, name=None) -> list:
        """The versions still PENDING_REGISTRATION (of model ``name``, or of every model), with their tags."""
        where, params = ("v.status = ? AND v.name = ?", (PENDING, name)) if name else ("v.status = ?", (PENDING,))
        return self._query_versions(where, params)

    def update_model_version(self, name: str, version, description):
        """Set a version's description and return the version; raises NotFoundError."""
        number = validate_version(version)
        with self.db.write() as cur:
            self._require_version(cur, name, number)
            cur.execute("UPDATE model_versions SET description = ? WHERE name = ? AND version = ?",
                        (description, name, number))
            self._touch(cur, name, number)
        return self.get_model_version(name, number)

    def transition_model_version_stage(self, name: str, version, stage: str, archive_existing_versions=False):
        """Move a version to ``stage`` (any case); with ``archive_existing_versions`` the other versions in
        that stage become Archived in the same transaction. Returns the version.

        Raises NotFoundError, or InvalidInputError for an unknown stage or archiving into None/Archived.
        """
        number = validate_version(version)
        stage = canonical_stage(stage)
        if archive_existing_versions and stage not in ("Staging", "Production"):
            raise InvalidInputError(
                f"archive_existing_versions applies to Staging and Production only, not to {stage!r}")
        with self.db.write() as cur:
            self._require_version(cur, name, number)
            cur.execute("UPDATE model_versions SET current_stage = ? WHERE name = ? AND version = ?",
                        (stage, name, number))
            if archive_existing_versions:
                cur.execute("UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ?"
                            " WHERE name = ? AND current_stage = ? AND version != ?",
                            (_now_ms(), name, stage, number))
            self._touch(cur, name, number)
        return self.get_model_version(name, number)

    def delete_model_version(self, name: str, version):
        """Delete a version with its tags and aliases; return its storage location (or None)."""
        number = validate_version(version)
        with self.db.write() as cur:
            self._require_version(cur, name, number)
            location = cur.execute("SELECT storage_location FROM model_versions WHERE name = ? AND version = ?",
                                   (name, number)).fetchone()[0]
            cur.execute("DELETE FROM model_versions WHERE name = ? AND version = ?", (name, number))
            self._touch(cur, name)
        return from_stored(location, self.artifact_root)

    def set_model_version_tag(self, name: str, version, key: str, value: str) -> None:
        """Set one tag of a version; raises NotFoundError."""
        number = validate_version(version)
        with self.db.write() as cur:
            self._require_version(cur, name, number)
            cur.execute("INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
                        (name, number, key, value))
            self._touch(cur, name, number)

    def delete_model_version_tag(self, name: str, version, key: str) -> None:
        """Remove one tag of a version; raises NotFoundError when version or tag is missing."""
        number = validate_version(version)
        with self.db.write() as cur:
            self._require_version(cur, name, number)
            cur.execute("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
                        (name, number, key))
            if cur.rowcount == 0:
                raise NotFoundError(f"Version {number} of {name!r} has no tag {key!r}")
            self._touch(cur, name, number)

    def set_registered_model_alias(self, name: str, alias: str, version) -> None:
        """Point ``alias`` at a version (moving it from any other); raises NotFoundError or InvalidInputError."""
        validate_alias(alias)
        number = validate_version(version)
        with self.db.write() as cur:
            self._require_version(cur, name, number)
            cur.execute("INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?)"
                        " ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version", (name, alias, number))
            self._touch(cur, name)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; raises NotFoundError when the model or alias is unknown."""
        with self.db.write() as cur:
            self._require_model(cur, name)
            cur.execute("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", (name, alias))
            if cur.rowcount == 0:
                raise NotFoundError(f"Registered model {name!r} has no alias {alias!r}")
            self._touch(cur, name)
