"""A run's metrics.csv (RunLog): a resumed run appends under the columns the file already has."""
from cyclemedgan.config import replace
from cyclemedgan.training.loop import train


def test_a_resumed_run_keeps_the_columns_its_metrics_csv_already_has(tiny_config, tiny_extractor, tmp_path):
    import csv

    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 4, "log_every": 1, "checkpoint_every": 100})
    part = train(cfg, tmp_path / "part", progress=False, stop_at=2)
    path = part / "metrics.csv"
    rows = list(csv.reader(path.open(newline="")))
    old = rows[0][:-1]  # as written by a version that logged one column fewer
    with path.open("w", newline="") as f:
        csv.writer(f).writerows([old] + [r[:-1] for r in rows[1:]])
    train(cfg, part, progress=False)
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == old and [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert all(len(r) == len(old) for r in rows)  # no row shifted under a header it does not match
