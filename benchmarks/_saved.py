"""Each group's results as a JSON file, so that the page can be assembled from groups run at different times.

A full run of every group takes well over an hour on a small machine. With
``--save-results DIR`` every group run writes ``DIR/<group>.json`` (its samples, the
commit, machine and library versions it ran on, its profile); ``--from-results DIR``
writes the page from those files alone, listing which group came from which commit,
machine and date. Re-running one group replaces its file and nothing else.
"""

from __future__ import annotations

import json
import os

from benchmarks._harness import ScenarioResult
from benchmarks._machine import machine, source_commit, versions
from benchmarks._registry import GROUPS, find_scenario

__all__ = ["save_group_results", "load_results", "sources_lines"]

FORMAT = 1


def save_group_results(results, profile: str, directory: str) -> list:
    """Write one ``<group>.json`` per group present in ``results`` (ScenarioResult list); return the paths."""
    os.makedirs(directory, exist_ok=True)
    provenance = {"format": FORMAT, "profile": profile, "commit": source_commit(), "machine": machine(),
                  "versions": versions()}
    by_group: dict = {}
    for result in results:
        by_group.setdefault(result.scenario.group, []).append(
            {"scenario": result.scenario.name, "samples": result.samples, "mlflow_status": result.mlflow_status,
             "errors": result.errors, "seconds": result.seconds})
    paths = []
    for group, scenarios in by_group.items():
        path = os.path.join(directory, f"{group}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({**provenance, "group": group, "scenarios": scenarios}, handle, indent=1)
        paths.append(path)
    return paths


def load_results(directory: str) -> tuple:
    """(ScenarioResult list in report order, {group: provenance dict}) from the ``<group>.json`` files.

    Raises ValueError when the directory holds no group file, when files mix profiles, or for a file of
    another format; KeyError for a scenario that no longer exists.
    """
    loaded, provenance = [], {}
    for group in GROUPS:
        path = os.path.join(directory, f"{group}.json")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as handle:
            saved = json.load(handle)
        if saved.get("format") != FORMAT:
            raise ValueError(f"{path}: not a benchmark results file of format {FORMAT}")
        provenance[group] = {key: saved[key] for key in ("profile", "commit", "machine", "versions")}
        for entry in saved["scenarios"]:
            result = ScenarioResult(find_scenario(entry["scenario"]), saved["profile"], entry["samples"],
                                    entry["mlflow_status"], entry["errors"], entry["seconds"])
            loaded.append(result)
    if not loaded:
        raise ValueError(f"no <group>.json results file in {directory!r} (write them with --save-results)")
    profiles = {saved["profile"] for saved in provenance.values()}
    if len(profiles) > 1:
        raise ValueError(f"results of different profiles cannot share a page: {sorted(profiles)}")
    return loaded, provenance


def sources_lines(provenance: dict) -> list:
    """Markdown lines: which commit, machine and date each group's figures came from."""
    lines = ["", "## Where each group's figures came from", "",
             "The page was assembled from results saved per group (`--save-results`, then `--from-results`).", "",
             "| group | commit | CPU | cores | date |", "|---|---|---|---|---|"]
    for group, saved in provenance.items():
        host = saved["machine"]
        lines.append(f"| {group} | {saved['commit']} | {host.get('CPU', '?')} | {host.get('cores', '?')} "
                     f"| {host.get('date', '?')} |")
    return lines
