"""The model-registry half of ``Client``.

A version's files are copied, when it is created, into a registry-owned location
``<artifact root>/models/<name>/<version>/`` recorded as its ``storage_location``: deleting
or cleaning up the run afterwards never breaks a registered version, and deleting the
version (or its model) deletes that copy. ``source`` keeps the URI it was registered from.
"""

from __future__ import annotations

import os
import shutil

from .exceptions import InvalidInputError, NotFoundError
from .validation import tag_value_to_str, validate_key

__all__ = ["RegistryClientMixin"]


def _registration():  # the registry's modules load on its first use, not with the Client
    from . import registration

    return registration


def _uris():
    from . import uris

    return uris


def _names():
    from . import registry_names

    return registry_names

_REGISTRY_DIR = "models"


class RegistryClientMixin:
    """Registered models, versions, stages, aliases and tags; mixed into Client (needs ``_store``)."""

    # -- registered models ------------------------------------------------
    def create_registered_model(self, name: str, tags=None, description=None):
        """Create an empty registered model; raises InvalidInputError for a bad name, AlreadyExistsError."""
        tags = {validate_key(k, "tag key"): tag_value_to_str(k, v) for k, v in (tags or {}).items()}
        return self._store.create_registered_model(_names().validate_model_name(name), tags, description)

    def get_registered_model(self, name: str):
        """The RegisteredModel (tags, aliases, latest_versions per stage); raises NotFoundError."""
        return self._store.get_registered_model(name)

    def search_registered_models(self, filter_string=None, max_results=100, order_by=None, page_token=None):
        """A PagedList of registered models; filter on ``name`` (=, !=, LIKE, ILIKE) and ``tags.<key>``.

        Raises InvalidInputError for a malformed filter or order key.
        """
        return self._store.search_registered_models(filter_string, max_results, order_by, page_token)

    def list_registered_models(self, max_results=100, page_token=None):
        """Every registered model by name, one page at a time (search_registered_models without a filter)."""
        return self.search_registered_models(None, max_results, None, page_token)

    def update_registered_model(self, name: str, description=None):
        """Set a model's description and return the model; raises NotFoundError."""
        return self._store.update_registered_model(name, description)

    def rename_registered_model(self, name: str, new_name: str):
        """Rename a model (its versions, tags and aliases follow); raises NotFoundError, AlreadyExistsError."""
        return self._store.rename_registered_model(name, _names().validate_model_name(new_name))

    def delete_registered_model(self, name: str) -> None:
        """Delete a model, its versions and their registry copies; raises NotFoundError."""
        for location in self._store.delete_registered_model(name):
            self._delete_registry_copy(location)

    def set_registered_model_tag(self, name: str, key: str, value) -> None:
        """Set one tag of a registered model; raises NotFoundError."""
        self._store.set_registered_model_tag(name, validate_key(key, "tag key"), tag_value_to_str(key, value))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag of a registered model; raises NotFoundError."""
        self._store.delete_registered_model_tag(name, key)

    # -- versions ---------------------------------------------------------
    def create_model_version(self, name: str, source: str, run_id=None, tags=None, description=None):
        """Register the model at ``source`` (runs:/, models:/, file:// or a path) as the next version of ``name``.

        The files are copied into the registry first (see the module docstring); the version is
        READY when this returns. Raises NotFoundError for an unknown model or a source with nothing
        there, InvalidInputError for a malformed source.
        """
        _names().validate_model_name(name)
        source = os.fspath(source)
        if getattr(self._store, "registers_on_server", False):  # the server copies the files
            return self._store.create_model_version(name, source, run_id, self._checked_tags(tags), description)
        source_location = _uris().resolve_artifact_location(source, tracking_uri=self.tracking_uri)
        local = self._registry_source_copy(name, source_location)
        if local is not None:
            _registration().require_model_directory(local, source)
        run_id = run_id or self._source_run_id(source)
        tags = {validate_key(k, "tag key"): tag_value_to_str(k, v) for k, v in (tags or {}).items()}
        self.cleanup_stale_registrations(name)
        version = self._store.create_model_version(name, source, run_id, tags, description)
        try:
            location = self._registry_target(name, version.version)
            self._store.set_model_version_tag(name, version.version, _registration().REGISTRATION_TAG,
                                              _registration().owner_tag_value(location))
            self._copy_into_registry(local, location, source_location)
            return self._store.finish_model_version(name, version.version, location)
        except BaseException as error:
            self._abandon_registration(name, version.version, error)
            raise

    def _abandon_registration(self, name: str, version: str, error: BaseException) -> None:
        """Undo a registration that failed; a failing cleanup is noted on ``error``, never raised instead of it."""
        try:
            pending = [v for v in getattr(self._store, "pending_model_versions", lambda _name: [])(name)
                       if v.version == version]
            self._store.delete_model_version(name, version)
            for stale in pending:
                _registration().remove_partial_copy(stale, self._registry_root())
        except Exception as cleanup_error:  # noqa: BLE001 - the first error is the one to report
            note = (f"autolog: version {version} of {name!r} stays PENDING_REGISTRATION: its cleanup failed too "
                    f"({type(cleanup_error).__name__}: {cleanup_error}); `autolog models cleanup` removes it later")
            if hasattr(error, "add_note"):
                error.add_note(note)

    def cleanup_stale_registrations(self, name=None) -> list:
        """Delete the PENDING_REGISTRATION versions (of ``name``, or of every model) whose registering process
        died or that are older than a day, with their partial folders; return the ModelVersions removed."""
        removed = []
        pending = getattr(self._store, "pending_model_versions", None)  # a store without it has nothing to clean
        for version in _registration().stale_pending_versions(pending(name) if pending else []):
            try:
                self._store.delete_model_version(version.name, version.version)
            except NotFoundError:  # another process cleaned it first
                continue
            _registration().remove_partial_copy(version, self._registry_root())
            removed.append(version)
        return removed

    @staticmethod
    def _checked_tags(tags) -> dict:
        return {validate_key(k, "tag key"): tag_value_to_str(k, v) for k, v in (tags or {}).items()}

    def _source_run_id(self, source: str):
        if source.startswith("runs:"):
            return _uris().parse_runs_uri(source)[0]
        logged_model = _uris().parse_logged_model_uri(source)
        if logged_model:
            return self._store.get_logged_model(logged_model[0]).source_run_id
        if source.startswith("models:"):
            return self._version_for(_uris().parse_models_uri(source)).run_id
        return None

    def _registry_source_copy(self, name: str, source_location: str):
        """A local path holding the files to register, or None when they go from a bucket into a
        bucket (copied inside S3 by _copy_into_registry). Raises NotFoundError when nothing is there."""
        if source_location.startswith("s3://") and self._registry_location(name, "").startswith("s3://"):
            return None
        return _uris().download_artifacts(source_location, tracking_uri=self.tracking_uri)

    def _registry_location(self, name: str, version: str) -> str:
        return f"{self._store.artifact_root}/{_REGISTRY_DIR}/{name}/{version}"

    def _registry_root(self) -> str:
        return f"{self._store.artifact_root}/{_REGISTRY_DIR}"

    def _registry_target(self, name: str, version: str) -> str:
        from .artifacts import get_artifact_repository

        location = self._registry_location(name, version)
        repository = get_artifact_repository(location)
        local_target = repository.local_path("")
        taken = os.path.exists(local_target) if local_target is not None else bool(repository.list_artifacts())
        if taken:  # left over from a renamed or deleted model
            location = f"{location}-{os.urandom(4).hex()}"
        return location

    @staticmethod
    def _copy_into_registry(local_source, location: str, source_location: str) -> None:
        """Copy the model's files to ``location``: from a local folder, or inside a bucket when
        ``local_source`` is None (see _registry_source_copy)."""
        from .artifacts import get_artifact_repository

        repository = get_artifact_repository(location)
        if local_source is None:
            repository.copy_from(source_location)
        else:
            repository.log_artifacts(local_source)

    def _delete_registry_copy(self, location) -> None:
        from .artifacts import get_artifact_repository

        registry_root = f"{self._store.artifact_root}/{_REGISTRY_DIR}"
        if not location:
            return
        repository = get_artifact_repository(location)
        local = repository.local_path("")
        if local is None:
            if location.startswith(registry_root + "/") and hasattr(repository, "delete_artifacts"):
                repository.delete_artifacts()
            return
        local_root = get_artifact_repository(registry_root).local_path("")
        if local_root and os.path.abspath(local).startswith(os.path.abspath(local_root) + os.sep):
            shutil.rmtree(local, ignore_errors=True)

    def get_model_version(self, name: str, version):
        """One ModelVersion; raises NotFoundError."""
        return self._store.get_model_version(name, version)

    def get_latest_versions(self, name: str, stages=None) -> list:
        """The highest version in each stage (of ``stages`` when given, any case); raises NotFoundError."""
        return self._store.get_latest_versions(name, stages)

    def search_model_versions(self, filter_string=None, max_results=1000, order_by=None, page_token=None):
        """A PagedList of versions; filter on name, version, run_id, source, current_stage and ``tags.<key>``."""
        return self._store.search_model_versions(filter_string, max_results, order_by, page_token)

    def transition_model_version_stage(self, name: str, version, stage: str, archive_existing_versions=False):
        """Move a version to None, Staging, Production or Archived (any case), atomically; returns it.

        With ``archive_existing_versions`` every other version in that stage becomes Archived in the
        same transaction. Raises NotFoundError or InvalidInputError.
        """
        return self._store.transition_model_version_stage(name, version, stage, archive_existing_versions)

    def update_model_version(self, name: str, version, description=None):
        """Set a version's description and return the version; raises NotFoundError."""
        return self._store.update_model_version(name, version, description)

    def delete_model_version(self, name: str, version) -> None:
        """Delete a version, its tags, aliases and registry copy; raises NotFoundError."""
        self._delete_registry_copy(self._store.delete_model_version(name, version))

    def set_model_version_tag(self, name: str, version, key: str, value) -> None:
        """Set one tag of a version; raises NotFoundError."""
        self._store.set_model_version_tag(name, version, validate_key(key, "tag key"), tag_value_to_str(key, value))

    def delete_model_version_tag(self, name: str, version, key: str) -> None:
        """Remove one tag of a version; raises NotFoundError."""
        self._store.delete_model_version_tag(name, version, key)

    # -- aliases and resolution -------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version) -> None:
        """Point ``alias`` at a version (``models:/name@alias``); raises NotFoundError or InvalidInputError."""
        self._store.set_registered_model_alias(name, alias, version)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; raises NotFoundError."""
        self._store.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str):
        """The version an alias points at; raises NotFoundError."""
        return self._store.get_model_version_by_alias(name, alias)

    def get_model_version_download_uri(self, name: str, version) -> str:
        """Where a version's files are (its registry copy); raises NotFoundError."""
        return self._location_of(self.get_model_version(name, version))

    def _version_for(self, parts: dict):
        name = parts["name"]
        if parts.get("alias"):
            return self._store.get_model_version_by_alias(name, parts["alias"])
        if parts.get("version"):
            return self._store.get_model_version(name, _names().validate_version(parts["version"]))
        if parts.get("latest"):
            return self._store.get_latest_version_any_stage(name)
        found = self._store.get_latest_versions(name, [parts["stage"]])
        if not found:
            raise NotFoundError(f"No version of registered model {name!r} is in stage {parts['stage']!r}")
        return found[0]

    def _location_of(self, version) -> str:
        if getattr(self._store, "registers_on_server", False):
            return self._store.get_model_version_download_uri(version.name, version.version)
        if version.status != "READY" or not version.storage_location:
            raise InvalidInputError(f"Version {version.version} of {version.name!r} is still being registered")
        return version.storage_location

    def resolve_model_version_location(self, parts: dict) -> str:
        """The storage location of the version a parsed ``models:/`` URI names (see uris.parse_models_uri).

        Raises NotFoundError for an unknown model, version, stage or alias, InvalidInputError for a bad stage.
        """
        return self._location_of(self._version_for(parts))
