"""Results of exploring dialogue stages, kept between runs of `collectquest validate`.

Exploring every state of a dialogue is most of what validation costs, and its result depends
only on the stage and on the program: a stage is keyed by the SHA-256 of its full parsed content
(every field, defaults included), its index, and a digest of the engine's source code
(`code_version`), so a changed stage or a changed program is explored afresh. Every other check
runs every time. The cache is one JSON file in the user's cache folder ($COLLECTQUEST_CACHE, else
platformdirs' user cache); it is rebuilt from the stage on read, and anything in it that does not
have the expected shape counts as a miss. It is not shared: it lives outside the saves folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import explore
from .dialogue import DialogueResult
from .models import DialogueStage

CACHE_FILE = "explore-v1.json"
MAX_ENTRIES = 20_000  # the least recently used go first beyond this
REFRESH_SECONDS = 86_400  # how stale an entry's last-use time may get before a hit rewrites it


@lru_cache(maxsize=1)
def code_version() -> str:
    """Digest of every engine source file: any change to the code explores everything again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def default_cache_dir() -> Path:
    chosen = os.environ.get("COLLECTQUEST_CACHE")
    if chosen:
        return Path(chosen)
    from platformdirs import user_cache_path

    return user_cache_path("collectquest", appauthor=False)


def stage_key(stage: DialogueStage, stage_index: int) -> str:
    text = stage.model_dump_json(by_alias=True)
    return hashlib.sha256(f"{stage_index}\n{text}".encode()).hexdigest()


# --- StageExploration <-> JSON --------------------------------------------------------------


def _witness_json(witness: explore.Witness | None) -> Any:
    if witness is None:
        return None
    r = witness.result
    return {
        "choices": witness.choices,
        "ending_id": r.ending_id,
        "compliance": r.compliance,
        "communication": r.communication,
        "outcome": r.outcome,
        "score": r.score,
        "violations": r.violations,
        "steps": r.steps,
    }


def _witness(data: Any, stage: DialogueStage) -> explore.Witness | None:
    if data is None:
        return None
    result = DialogueResult(
        ending_id=_str(data["ending_id"]),
        ending=stage.endings[data["ending_id"]],
        compliance=_int(data["compliance"]),
        communication=_int(data["communication"]),
        outcome=_int(data["outcome"]),
        score=_int(data["score"]),
        violations=_strs(data["violations"]),
        steps=_int(data["steps"]),
    )
    return explore.Witness(choices=[_int(c) for c in data["choices"]], result=result)


def to_json(found: explore.StageExploration) -> dict[str, Any]:
    return {
        "stage_index": found.stage_index,
        "states": found.states,
        "paths": found.paths,
        "paths_by_ending": found.paths_by_ending,
        "endings_reached": found.endings_reached,
        "endings_unreached": found.endings_unreached,
        "nodes_unreached": found.nodes_unreached,
        "dead_end_nodes": found.dead_end_nodes,
        "dangling_targets": found.dangling_targets,
        "hidden_fallback_nodes": found.hidden_fallback_nodes,
        "cycles": [[list(c.nodes), c.has_exit] for c in found.cycles],
        "unused_choices": [[u.node, u.choice, u.reason, list(u.same_as)] for u in found.unused_choices],
        "shortest_path": found.shortest_path,
        "longest_path": found.longest_path,
        "horizon": found.horizon,
        "best": _witness_json(found.best),
        "worst": _witness_json(found.worst),
        "best_red_line": _witness_json(found.best_red_line),
        "best_without_good": _witness_json(found.best_without_good),
    }


def from_json(data: Any, stage: DialogueStage) -> explore.StageExploration:
    """Rebuild a StageExploration; KeyError, TypeError or ValueError if `data` is not one."""
    return explore.StageExploration(
        stage_index=_int(data["stage_index"]),
        states=_int(data["states"]),
        paths=None if data["paths"] is None else _int(data["paths"]),
        paths_by_ending={_str(k): _int(v) for k, v in data["paths_by_ending"].items()},
        endings_reached=_strs(data["endings_reached"]),
        endings_unreached=_strs(data["endings_unreached"]),
        nodes_unreached=_strs(data["nodes_unreached"]),
        dead_end_nodes=_strs(data["dead_end_nodes"]),
        dangling_targets=_strs(data["dangling_targets"]),
        hidden_fallback_nodes=_strs(data["hidden_fallback_nodes"]),
        cycles=[explore.Cycle(tuple(_strs(nodes)), _bool(exit_)) for nodes, exit_ in data["cycles"]],
        unused_choices=[
            explore.UnusedChoice(_str(node), _int(choice), _str(reason), tuple(_int(s) for s in same))
            for node, choice, reason, same in data["unused_choices"]
        ],
        shortest_path=None if data["shortest_path"] is None else _int(data["shortest_path"]),
        longest_path=None if data["longest_path"] is None else _int(data["longest_path"]),
        horizon=None if data["horizon"] is None else _int(data["horizon"]),
        best=_witness(data["best"], stage),
        worst=_witness(data["worst"], stage),
        best_red_line=_witness(data["best_red_line"], stage),
        best_without_good=_witness(data["best_without_good"], stage),
    )


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a boolean")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _strs(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return [_str(v) for v in value]


# --- the cache --------------------------------------------------------------------------------


@dataclass
class ExplorationCache:
    """Explore a stage, or return what an earlier run (or this one) found for the same stage."""

    folder: Path | None = None  # None: this run only, nothing read or written
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    _changed: bool = False

    @classmethod
    def open(cls, folder: Path | None = None) -> ExplorationCache:
        cache = cls(folder if folder is not None else default_cache_dir())
        cache._read()
        return cache

    @property
    def path(self) -> Path | None:
        return self.folder / CACHE_FILE if self.folder is not None else None

    def _read(self) -> None:
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return  # missing or damaged: explore everything, write a fresh file
        if isinstance(data, dict) and data.get("code") == code_version() and isinstance(data.get("entries"), dict):
            self.entries = {k: v for k, v in data["entries"].items() if isinstance(v, dict)}

    def explore_stage(self, stage: DialogueStage, stage_index: int = 0) -> explore.StageExploration:
        """As explore.explore_stage (raises ExplorationError the same way)."""
        key = stage_key(stage, stage_index)
        entry = self.entries.get(key)
        if entry is not None:
            try:
                if "error" in entry:
                    found_error = _str(entry["error"])
                else:
                    found = from_json(entry["result"], stage)
            except (KeyError, TypeError, ValueError, AttributeError):
                entry = None
            else:
                self.hits += 1
                if time.time() - float(entry.get("used", 0)) > REFRESH_SECONDS:
                    entry["used"] = time.time()  # not on every hit: a run that only hits writes nothing
                    self._changed = True
                if "error" in entry:
                    raise explore.ExplorationError(found_error)
                return found
        self.misses += 1
        self._changed = True
        try:
            found = explore.explore_stage(stage, stage_index)
        except explore.ExplorationError as exc:
            self.entries[key] = {"used": time.time(), "error": str(exc)}
            raise
        self.entries[key] = {"used": time.time(), "result": to_json(found)}
        return found

    def save(self) -> None:
        """Write the cache (atomically; a failure to write only costs time next run)."""
        if self.path is None or not self._changed:
            return
        entries = self.entries
        if len(entries) > MAX_ENTRIES:
            newest = sorted(entries, key=lambda k: entries[k].get("used", 0), reverse=True)[:MAX_ENTRIES]
            entries = {k: entries[k] for k in newest}
        text = json.dumps({"code": code_version(), "entries": entries}, ensure_ascii=False, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{CACHE_FILE}.", suffix=".tmp", dir=self.path.parent)
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, self.path)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass
        self._changed = False
