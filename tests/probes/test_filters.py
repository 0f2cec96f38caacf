"""The filters probe on the tiny tune subject."""


def test_filters_probe_scores_the_input_as_zero(tune_config, tmp_path, capsys):
    import json

    from cyclemedgan.config import to_dict
    from cyclemedgan.probes.filters import filters

    (tmp_path / "c.yaml").write_text(json.dumps(to_dict(tune_config)))
    filters(str(tmp_path / "c.yaml"))
    out = capsys.readouterr().out
    assert "1 tune subjects" in out and "input" in out.splitlines()[1] and "score +0.000" in out.splitlines()[1]
    assert "score -" in out  # smoothing lowers the score
