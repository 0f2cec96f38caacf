"""The hiding probe (steganography test, Chu et al. 2017) on a trained model."""


def test_probes_run_on_a_trained_model(trained, capsys):
    from cyclemedgan.probes.change import change
    from cyclemedgan.probes.hiding import cycle_errors

    errs = cycle_errors(str(trained), [0.0, 0.1], n=8)
    assert errs[0.1] > errs[0.0] > 0  # noise between the generators raises the cycle error
    change(str(trained))
    out = capsys.readouterr().out
    assert "mean |G1(x) - x|" in out and "inside the head" in out
