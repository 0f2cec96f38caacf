"""Subject-level splits. A subject's slices all go to one role; validation never trains.

Roles: ``train_x`` (source-domain training subjects), ``train_y`` (target-domain training
subjects, disjoint from ``train_x`` so training is truly unpaired), ``tune`` (paired subjects
that never train but on which settings and the best checkpoint are chosen) and ``val`` (paired
validation, reported only: nothing is ever selected on it). The split is a committed CSV; ``balanced_split`` is the rule that made it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from cyclemedgan.errors import UserError

ROLES = ("train_x", "train_y", "val", "tune")


@dataclass(frozen=True)
class SubjectRow:
    subject: str
    age: float | None
    sex: str
    role: str


def balanced_split(demographics: list[tuple[str, float | None, str]], n_val: int) -> list[SubjectRow]:
    """Deterministic split balanced by sex and age.

    Within each sex (subjects sorted by age), validation subjects are taken at evenly spaced age
    ranks, ``n_val`` in all, shared between the sexes in proportion to their counts (largest remainder). The
    remaining subjects, in the same sex-then-age order, alternate between ``train_x`` and
    ``train_y``, so both training halves span the same ages and sexes. Subjects without
    demographics (age None) are only ever used for training.
    """
    known = [d for d in demographics if d[1] is not None]
    unknown = [d for d in demographics if d[1] is None]
    by_sex: dict[str, list] = {}
    for d in sorted(known, key=lambda d: (d[2], d[1], d[0])):
        by_sex.setdefault(d[2], []).append(d)
    sexes = sorted(by_sex)
    quota = {s: n_val * len(by_sex[s]) // len(known) for s in sexes}
    remainder = {s: n_val * len(by_sex[s]) / len(known) - quota[s] for s in sexes}
    for s in sorted(sexes, key=lambda s: -remainder[s])[: n_val - sum(quota.values())]:
        quota[s] += 1
    rows: list[SubjectRow] = []
    rest = []
    for s in sexes:
        group = by_sex[s]
        k = quota[s]
        val_idx = {int((i + 0.5) * len(group) / k) for i in range(k)}
        for i, (sub, age, sex) in enumerate(group):
            if i in val_idx:
                rows.append(SubjectRow(sub, age, sex, "val"))
            else:
                rest.append((sub, age, sex))
    for i, (sub, age, sex) in enumerate(rest + unknown):
        rows.append(SubjectRow(sub, age, sex, ROLES[i % 2]))
    return sorted(rows, key=lambda r: r.subject)


def with_tune(rows: list[SubjectRow], n_tune: int) -> list[SubjectRow]:
    """Move ``n_tune`` training subjects to role ``tune``, validation untouched: half from
    ``train_x``, half from ``train_y``, at evenly spaced age ranks of each (subjects with known
    age only), so tune spans the training ages and both sexes where it can."""
    out = {r.subject: r for r in rows}
    for k, role in enumerate(("train_x", "train_y")):
        group = sorted((r for r in rows if r.role == role and r.age is not None), key=lambda r: (r.age, r.sex))
        want = n_tune // 2 + (n_tune % 2 if k == 0 else 0)
        for i in range(want):
            r = group[int((i + 0.5) * len(group) / want)]
            out[r.subject] = SubjectRow(r.subject, r.age, r.sex, "tune")
    return sorted(out.values(), key=lambda r: r.subject)


def read_split(path: str | Path) -> list[SubjectRow]:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"split file not found: {path}")
    rows = []
    with path.open() as f:
        for n, r in enumerate(csv.DictReader(f), start=2):
            if not r.get("subject"):
                raise UserError(f"{path}, line {n}: needs columns subject,age,sex,role and a subject")
            if r.get("role") not in ROLES:
                raise UserError(f"{path}, line {n}: role must be one of {', '.join(ROLES)}, got {r.get('role')!r}")
            try:
                age = float(r["age"]) if r.get("age") else None
            except ValueError:
                raise UserError(f"{path}, line {n}: age {r['age']!r} is not a number") from None
            rows.append(SubjectRow(r["subject"], age, r.get("sex") or "", r["role"]))
    subjects = [r.subject for r in rows]
    if len(set(subjects)) != len(subjects):
        raise UserError(f"{path}: a subject is listed twice")
    return rows


def write_split(rows: list[SubjectRow], path: str | Path) -> None:
    with Path(path).open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["subject", "age", "sex", "role"])
        for r in rows:
            w.writerow([r.subject, "" if r.age is None else r.age, r.sex, r.role])


def cv_fold(rows: list[SubjectRow], folds: int, fold: int) -> list[SubjectRow]:
    """Fold ``fold`` (0-based) of a ``folds``-fold cross-validation over the training subjects
    (``train_x`` and ``train_y`` together, by name, every ``folds``-th from ``fold`` on) for a paired
    run: the fold's subjects become ``tune`` (scored, never trained on), the rest ``train_x``
    (trained on with their own targets). The original ``tune`` subjects become ``train_y``, which a
    paired run neither trains on nor scores; ``val`` is untouched. Each training subject is scored
    in exactly one fold."""
    if not 0 <= fold < folds or folds < 2:
        raise ValueError(f"fold {fold} of {folds}: needs folds >= 2 and 0 <= fold < folds")
    pool = sorted(r.subject for r in rows if r.role in ("train_x", "train_y"))
    held = set(pool[fold::folds])
    role = lambda r: ("tune" if r.subject in held else "train_x") if r.subject in pool else (  # noqa: E731
        "train_y" if r.role == "tune" else r.role)
    return [SubjectRow(r.subject, r.age, r.sex, role(r)) for r in rows]


def subjects_with_role(rows: list[SubjectRow], role: str) -> list[str]:
    return [r.subject for r in rows if r.role == role]
