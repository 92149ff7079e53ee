"""Verifying the audit log: the chain, every checkpoint (signature, root, consistency with the one before,
tree size never decreasing), the checkpoint file kept outside the database, and the signed records; and
an exported log, offline, from its proofs alone. Each problem names where it is (event id and leaf index,
or checkpoint) and what it means, in Chinese and English."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps

from . import checkpoints, keys, merkle, signing
from .hashing import canonical, hmac_sm3, same
from .models import Checkpoint, Event
from .services import (
    GENESIS,
    KEYED_SCHEME,
    chain_hash,
    checkpoint_file,
    entry_of,
    keyed_fields,
    leaf_of,
    origin,
)

EXPORT_FORMAT = "greenmfg-audit-export/1"


@dataclass(frozen=True)
class Problem:
    kind: str
    zh: str
    en: str
    event_id: int | None = None
    index: int | None = None
    checkpoint_id: int | None = None

    @property
    def where(self) -> str:
        if self.event_id is not None or self.index is not None:
            return f"event id {self.event_id} (leaf {self.index})"
        if self.checkpoint_id is not None:
            return f"checkpoint #{self.checkpoint_id}"
        return "log"

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.en} / {self.zh}"


@dataclass
class Report:
    events: int = 0
    checkpoints: int = 0
    signed_size: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def first(self, kind: str | None = None) -> Problem | None:
        return next((p for p in self.problems if kind is None or p.kind == kind), None)


# --- the chain --------------------------------------------------------------------------------------


class _ChainChecker:
    """Checks events one by one, in id order, as `record` chained them."""

    def __init__(self, key: keys.ChainKey | None) -> None:
        self.key = key
        self.previous = GENESIS
        self.problems: list[Problem] = []

    def expected_scheme(self, index: int) -> str:
        if self.key is None or index < self.key.legacy_events:
            return ""
        return f"{KEYED_SCHEME}:{self.key.key_id}"

    def check(self, index: int, event: Event) -> None:
        where = {"event_id": event.id, "index": index}
        if event.prev_hash != self.previous:
            self.problems.append(
                Problem(
                    "link",
                    "与上一条记录的链接断开：其前面的记录被删除、插入或调换了顺序",
                    "the link to the previous event is broken: an event before it was deleted, inserted "
                    "or moved",
                    **where,
                )
            )
        expected = self.expected_scheme(index)
        if event.scheme != expected:
            self.problems.append(
                Problem(
                    "scheme",
                    f"哈希方式为「{event.scheme or '无密钥'}」，"
                    f"此位置应为「{expected or '无密钥'}」：记录被改写",
                    f"hashed as {event.scheme or 'unkeyed'!r} where {expected or 'unkeyed'!r} is due: "
                    "the event was rewritten",
                    **where,
                )
            )
        elif not same(chain_hash(event, self.key), event.hash):
            self.problems.append(
                Problem(
                    "hash",
                    "记录内容与其哈希不符：写入后被修改",
                    "the event's content does not match its hash: it was changed after it was written",
                    **where,
                )
            )
        if (
            self.key is not None
            and self.key.legacy_events == index + 1
            and event.hash != self.key.legacy_head
        ):
            self.problems.append(
                Problem(
                    "legacy_head",
                    "启用审计密钥前的最后一条记录与密钥文件记下的不符：旧记录被改写",
                    "the last event written before the chain key does not match the key file's record: "
                    "the older events were rewritten",
                    **where,
                )
            )
        self.previous = event.hash

    def finish(self, count: int) -> None:
        if self.key is not None and count < self.key.legacy_events:
            self.problems.append(
                Problem(
                    "truncated",
                    f"密钥文件记下启用前已有 {self.key.legacy_events} 条记录，日志现只有 {count} 条",
                    f"the key file records {self.key.legacy_events} events before the chain key; the log "
                    f"holds {count}",
                )
            )


def _events() -> Iterator[Event]:
    return Event.objects.order_by("id").iterator(chunk_size=2000)


def check_chain() -> list[Problem]:
    checker = _ChainChecker(keys.chain_key())
    count = 0
    for index, event in enumerate(_events()):
        checker.check(index, event)
        count += 1
    checker.finish(count)
    return checker.problems


# --- checkpoints ------------------------------------------------------------------------------------


def _checkpoint_keys() -> set[bytes]:
    return keys.trusted_public_keys()


class _CheckpointChecker:
    def __init__(self, tree: merkle.Tree, ids: list[int], trusted: Iterable[bytes]) -> None:
        self.tree, self.ids, self.trusted = tree, ids, list(trusted)
        self.problems: list[Problem] = []
        self.previous: tuple[int, bytes] | None = None
        self.matched_size = 0  # the largest size whose signed root matches the log
        self.previous_matched = True
        self.signed_size = 0

    def check(self, checkpoint: Checkpoint) -> None:
        where = {"checkpoint_id": checkpoint.pk}
        try:
            parsed, _ = checkpoints.verify(checkpoint.note, self.trusted)
        except checkpoints.NoteError as exc:
            self.problems.append(
                Problem(
                    "checkpoint_signature",
                    f"检查点签名无效（{exc}）",
                    f"invalid checkpoint signature ({exc})",
                    **where,
                )
            )
            return
        size, root = parsed.tree_size, parsed.root
        if (checkpoint.tree_size, checkpoint.root_hash, checkpoint.origin) != (
            size,
            root.hex(),
            parsed.origin,
        ):
            self.problems.append(
                Problem(
                    "checkpoint_columns",
                    "检查点的字段与其签名内容不符（以签名内容为准）",
                    "the checkpoint's columns differ from its signed note (the note is what counts)",
                    **where,
                )
            )
        if parsed.origin != origin():
            self.problems.append(
                Problem(
                    "checkpoint_origin",
                    f"检查点来自另一日志「{parsed.origin}」",
                    f"checkpoint of another log {parsed.origin!r}",
                    **where,
                )
            )
        if self.previous is not None and size <= self.previous[0]:
            self.problems.append(
                Problem(
                    "tree_size",
                    f"检查点的记录数 {size} 未大于上一检查点的 {self.previous[0]}",
                    f"tree size {size} is not larger than the previous checkpoint's {self.previous[0]}",
                    **where,
                )
            )
        self.signed_size = max(self.signed_size, size)
        count = len(self.tree)
        if size > count:
            last_id = self.ids[-1] if self.ids else None
            self.problems.append(
                Problem(
                    "truncated",
                    f"已签名的检查点包含 {size} 条记录，日志现只有 {count} 条：第 {count} 条（叶序号）之后的 "
                    f"{size - count} 条被删除（现存最后一条 id {last_id}）",
                    f"the signed checkpoint covers {size} events; the log holds {count}: the {size - count} "
                    f"events from leaf {count} on were deleted (last remaining id {last_id})",
                    index=count,
                    **where,
                )
            )
        elif self.tree.root(size) != root:
            first = self.matched_size
            self.problems.append(
                Problem(
                    "checkpoint_root",
                    f"前 {size} 条记录与已签名的根哈希不符；改动位于叶 {first}–{size - 1}"
                    f"（id {self.ids[first]}–{self.ids[size - 1]}）之间",
                    f"the first {size} events do not match the signed root; the change lies between leaves "
                    f"{first} and {size - 1} (ids {self.ids[first]}–{self.ids[size - 1]})",
                    **where,
                )
            )
        else:
            self.matched_size = size
        # a root already found not to match says more than a proof built from the changed events could
        decidable = self.matched_size == size and self.previous_matched
        if self.previous is not None and decidable and size > self.previous[0]:
            old_size, old_root = self.previous
            proof = self.tree.consistency_proof(old_size, size)
            if not merkle.verify_consistency(old_size, size, old_root, root, proof):
                self.problems.append(
                    Problem(
                        "consistency",
                        f"与上一检查点（{old_size} 条）不一致：日志并非只追加",
                        f"not consistent with the previous checkpoint ({old_size} events): the log was "
                        "not only appended to",
                        **where,
                    )
                )
        self.previous = (size, root)
        self.previous_matched = self.matched_size == size


def _check_checkpoint_file(trusted: Iterable[bytes], problems: list[Problem], count: int) -> int:
    """Every checkpoint in the file outside the database must still be in the database."""
    path = checkpoint_file()
    if not path.exists():
        return 0
    stored = {c.tree_size: c.root_hash for c in Checkpoint.objects.all()}
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        seen += 1
        try:
            parsed, _ = checkpoints.verify(json.loads(line)["note"], trusted)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(
                Problem(
                    "checkpoint_file",
                    f"检查点文件第 {number} 行无效（{exc}）",
                    f"line {number} of the checkpoint file is invalid ({exc})",
                )
            )
            continue
        if stored.get(parsed.tree_size) != parsed.root.hex():
            problems.append(
                Problem(
                    "checkpoint_file",
                    f"检查点文件第 {number} 行的检查点（{parsed.tree_size} 条）在数据库中缺失或不同："
                    "检查点被删除或改写",
                    f"the checkpoint of size {parsed.tree_size} on line {number} of the checkpoint file is "
                    "missing from the database or differs: checkpoints were deleted or rewritten",
                )
            )
            if parsed.tree_size > count:
                problems.append(
                    Problem(
                        "truncated",
                        f"检查点文件中的检查点包含 {parsed.tree_size} 条记录，日志现只有 {count} 条",
                        f"a checkpoint in the checkpoint file covers {parsed.tree_size} events; the log "
                        f"holds {count}",
                        index=count,
                    )
                )
    return seen


def _check_signed_records(report: Report) -> None:
    legacy = 0
    for label, manifest_field, signature_field in signing.SIGNED_MODELS:
        model = apps.get_model(label)
        rows = model.objects.exclude(**{f"{signature_field}__isnull": True}).values_list(
            "pk", manifest_field, signature_field
        )
        for pk, manifest, envelope in rows.iterator(chunk_size=500):
            if not signing.verify_trusted(manifest, envelope):
                report.problems.append(
                    Problem(
                        "signature",
                        f"{label}#{pk} 的 SM2 签名与其内容不符或不是平台的密钥",
                        f"{label}#{pk}: the SM2 signature does not match its content "
                        "or is not the platform's",
                    )
                )
            elif signing.is_legacy(envelope):
                legacy += 1
    if legacy:
        report.notes.append(
            f"{legacy} signatures still from the former signer (nonce from random): run manage.py "
            "resign_signatures / 仍有旧签名，请运行 resign_signatures"
        )


def verify_log(*, signed_records: bool = True) -> Report:
    """The whole log, its checkpoints and the checkpoint file; and (by default) every signed record."""
    report = Report()
    chain = _ChainChecker(keys.chain_key())
    tree = merkle.Tree()
    ids: list[int] = []
    for index, event in enumerate(_events()):
        chain.check(index, event)
        tree.append_leaf_hash(leaf_of(entry_of(event)))
        ids.append(event.id)
    chain.finish(len(ids))
    report.events = len(ids)
    report.problems.extend(chain.problems)
    trusted = _checkpoint_keys()
    checker = _CheckpointChecker(tree, ids, trusted)
    for checkpoint in Checkpoint.objects.order_by("id"):
        checker.check(checkpoint)
        report.checkpoints += 1
    report.signed_size = checker.signed_size
    report.problems.extend(checker.problems)
    seen = _check_checkpoint_file(trusted, report.problems, len(ids))
    report.notes.append(f"checkpoint file {checkpoint_file()}: {seen} checkpoints")
    if report.events and not report.checkpoints:
        report.notes.append("no checkpoint yet: run manage.py audit_checkpoint / 尚无检查点")
    elif report.events > report.signed_size:
        report.notes.append(
            f"{report.events - report.signed_size} events after the last checkpoint (chain only)"
        )
    if signed_records:
        _check_signed_records(report)
    return report


# --- an exported log, offline -----------------------------------------------------------------------


def _hex_list(values: Any) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def verify_export(path: Path, public_keys: Iterable[bytes] | None = None) -> Report:
    """Verify a file written by `export.export_log` without the database: checkpoint signatures (by the
    given keys, else this installation's), consistency between consecutive checkpoints, each exported
    event's inclusion proof, and the chain links between consecutive exported events (and their keyed
    hashes when this installation holds the chain key)."""
    report = Report()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines or lines[0].get("type") != "header" or lines[0].get("format") != EXPORT_FORMAT:
        report.problems.append(Problem("format", "不是审计日志导出文件", f"not a {EXPORT_FORMAT} file"))
        return report
    header = lines[0]
    if public_keys is None:
        public_keys = keys.trusted_public_keys()
    trusted = list(public_keys)
    if not trusted:
        report.notes.append(
            "no platform key on this machine: pass --public-key (the platform's published key)"
        )
    signed: dict[int, bytes] = {}
    previous: tuple[int, bytes] | None = None
    for item in (x for x in lines if x.get("type") == "checkpoint"):
        where = {"checkpoint_id": item.get("id")}
        try:
            parsed, _ = checkpoints.verify(item["note"], trusted)
        except (checkpoints.NoteError, KeyError) as exc:
            report.problems.append(
                Problem(
                    "checkpoint_signature",
                    f"检查点签名无效（{exc}）",
                    f"invalid checkpoint signature ({exc})",
                    **where,
                )
            )
            continue
        if previous is not None and parsed.tree_size <= previous[0]:
            report.problems.append(
                Problem("tree_size", "检查点的记录数减少", "tree size did not grow", **where)
            )
        signed[parsed.tree_size] = parsed.root
        previous = (parsed.tree_size, parsed.root)
        report.checkpoints += 1
    for item in (x for x in lines if x.get("type") == "consistency"):
        old, new = int(item["from"]), int(item["to"])
        if old not in signed or new not in signed:
            report.problems.append(
                Problem(
                    "consistency",
                    f"一致性证明 {old}→{new} 没有对应的检查点",
                    f"consistency proof {old}→{new} without its checkpoints",
                )
            )
        elif not merkle.verify_consistency(old, new, signed[old], signed[new], _hex_list(item["proof"])):
            report.problems.append(
                Problem(
                    "consistency", f"检查点 {old}→{new} 不一致", f"checkpoints {old}→{new} are not consistent"
                )
            )
    sizes = sorted(signed)
    for old, new in itertools.pairwise(sizes):
        if not any(x.get("type") == "consistency" and (x["from"], x["to"]) == (old, new) for x in lines):
            report.problems.append(
                Problem(
                    "consistency", f"缺少检查点 {old}→{new} 的一致性证明", f"no consistency proof {old}→{new}"
                )
            )
    size = int(header["tree_size"])
    if size not in signed:
        report.problems.append(
            Problem(
                "checkpoint_signature",
                "导出所依据的检查点未通过核验",
                "the checkpoint the export refers to is not verified",
            )
        )
        return report
    root = signed[size]
    report.signed_size = size
    key = keys.chain_key()
    expected_index = int(header["first_index"])
    previous_entry: dict[str, Any] | None = None
    for item in (x for x in lines if x.get("type") == "event"):
        entry, index = item["entry"], int(item["index"])
        where = {"event_id": entry.get("id"), "index": index}
        if index != expected_index:
            report.problems.append(
                Problem(
                    "order",
                    f"应为叶 {expected_index}，却是叶 {index}",
                    f"leaf {expected_index} expected, found {index}",
                    **where,
                )
            )
        expected_index = index + 1
        if not merkle.verify_inclusion(index, size, leaf_of(entry), _hex_list(item["proof"]), root):
            report.problems.append(
                Problem(
                    "inclusion",
                    "该记录与签名检查点中的不符（被修改、调换或插入）",
                    "this event is not the one the signed checkpoint holds at its leaf "
                    "(changed, moved or inserted)",
                    **where,
                )
            )
        if previous_entry is not None and entry.get("prev") != previous_entry.get("hash"):
            report.problems.append(
                Problem("link", "与上一条记录的链接断开", "the link to the previous event is broken", **where)
            )
        scheme = str(entry.get("scheme", ""))
        mac_key = key.key if key is not None and scheme == f"{KEYED_SCHEME}:{key.key_id}" else None
        if mac_key and not same(hmac_sm3(mac_key, canonical(keyed_fields(entry))), str(entry.get("hash"))):
            report.problems.append(
                Problem(
                    "hash", "记录内容与其哈希不符", "the event's content does not match its hash", **where
                )
            )
        previous_entry = entry
        report.events += 1
    due = int(header["last_index"]) - int(header["first_index"]) + 1
    if report.events != due:
        report.problems.append(
            Problem(
                "truncated",
                f"文件应含 {due} 条记录，实有 {report.events} 条",
                f"the file should hold {due} events, it holds {report.events}",
            )
        )
    if key is None:
        report.notes.append("no chain key here: keyed hashes not recomputed (inclusion proofs checked)")
    return report
