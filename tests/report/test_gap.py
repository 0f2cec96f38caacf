"""report/gap.py: the share of a simulation gap closed, from compare's table.csv and evaluate's CSV."""
import pytest

from cyclemedgan.report.gap import gap_markdown, gap_report, gap_rows, read_compare_table, read_evaluate_means


def _table(path, rows):
    path.write_text("method,seed,n,train_wall_s,psnr_mean,psnr_std,best_psnr\n"
                    + "".join(f"{m},{s},8,0,{v},0.1,0\n" for m, s, v in rows))
    return read_compare_table(path)


def test_share_is_the_fine_tuned_change_over_the_gap_and_absent_below_the_bar(tmp_path):
    table = _table(tmp_path / "t.csv", [("none", 0, 25.0), ("pretrained", 0, 24.0), ("cyclegan", 0, 24.5),
                                        ("cyclegan", 1, 24.7), ("unit", 0, 23.0)])
    (tmp_path / "c.csv").write_text("subject,psnr\nA,25.9\nB,26.1\nmean,26.0\nstd,0.14\n")
    ceiling = read_evaluate_means(tmp_path / "c.csv")
    assert ceiling == {"psnr": 26.0}
    rows = {r["method"]: r for r in gap_rows({"last": table}, ceiling)}
    assert set(rows) == {"cyclegan", "unit"}  # the untrained rows are not fine-tuned methods
    assert rows["cyclegan"]["mean"] == pytest.approx(24.6) and rows["cyclegan"]["seeds"] == 2
    assert rows["cyclegan"]["share"] == pytest.approx(0.3)  # (24.6 - 24) / (26 - 24)
    assert rows["unit"]["share"] == pytest.approx(-0.5) and rows["unit"]["sd"] == 0.0
    assert "+0.30" in gap_markdown(list(rows.values()))
    small = gap_rows({"last": table}, {"psnr": 24.3})  # a gap of 0.3 dB: no share
    assert all(r["share"] is None for r in small) and "gap below the bar" in gap_markdown(small)
    report = gap_report({"last": table}, ceiling, {"psnr": 0.5})
    assert report.startswith("input 25.0000, share +0.50; psnr, validation mean: start 24.0000, ceiling 26.0000, gap +2.0000")
