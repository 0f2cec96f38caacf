import csv

import pytest

from conftest import REPO

from cyclemedgan.data.split import SubjectRow, balanced_split, cv_fold, read_split, subjects_with_role, with_tune

IXI = REPO / "data" / "ixi-t1-2mm"


def _demographics():
    demo = {r["MRID"]: (float(r["Age"]), r["Sex"]) for r in csv.DictReader((IXI / "demographics.csv").open())}
    subjects = sorted(p.name.replace("_T1.nii.gz", "") for p in IXI.glob("*_T1.nii.gz"))
    return [(s, *demo.get(s, (None, ""))) for s in subjects]


def test_committed_split_is_the_balanced_rule():
    committed = read_split(IXI / "split.csv")
    assert committed == with_tune(balanced_split(_demographics(), n_val=8), n_tune=4)


def test_split_sizes_disjoint_and_balanced():
    rows = read_split(IXI / "split.csv")
    x, y, val, tune = (set(subjects_with_role(rows, r)) for r in ("train_x", "train_y", "val", "tune"))
    assert (len(x), len(y), len(tune), len(val)) == (14, 14, 4, 8)
    assert len(x | y | val | tune) == 40  # disjoint
    tune_rows = [r for r in rows if r.role == "tune"]
    assert sum(r.sex == "F" for r in tune_rows) == 2
    val_rows = [r for r in rows if r.role == "val"]
    assert sum(r.sex == "F" for r in val_rows) == 4
    ages = sorted(r.age for r in val_rows)
    assert ages[0] < 30 and ages[-1] > 60  # spans young to old


def test_cv_folds_score_each_training_subject_once_and_never_train_on_it():
    rows = [SubjectRow(f"S{i:02d}", None, "", role) for i, role in
            enumerate(["train_x"] * 6 + ["train_y"] * 6 + ["tune"] * 2 + ["val"] * 3)]
    folds = [cv_fold(rows, 4, k) for k in range(4)]
    scored = [subjects_with_role(f, "tune") for f in folds]
    assert sorted(sum(scored, [])) == [f"S{i:02d}" for i in range(12)]  # each once
    for f, held in zip(folds, scored):
        assert len(held) == 3 and not set(held) & set(subjects_with_role(f, "train_x"))
        assert subjects_with_role(f, "val") == subjects_with_role(rows, "val")
        assert subjects_with_role(f, "train_y") == subjects_with_role(rows, "tune")  # neither trained nor scored
    with pytest.raises(ValueError):
        cv_fold(rows, 4, 4)
