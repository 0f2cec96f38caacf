"""The change probe: how far G1 moves its inputs, and Adam's moments for its last layer."""
import torch

from cyclemedgan.probes.change import adam_line


def test_adam_line_reports_the_moments_of_the_parameter_of_that_shape(tmp_path, capsys):
    shape = (1, 4, 7, 7)  # G1's last convolution
    state = {"opt_g": {"state": {
        0: {"exp_avg": torch.ones(8, 4, 3, 3), "exp_avg_sq": torch.ones(8, 4, 3, 3)},  # another layer
        1: {"exp_avg": torch.full(shape, -0.1), "exp_avg_sq": torch.full(shape, 0.04)}}}}
    torch.save(state, tmp_path / "training_state.pt")
    adam_line(tmp_path / "training_state.pt", shape)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "sqrt(v) 2.00e-01" in out and "|m| / sqrt(v) 0.5000" in out
    adam_line(tmp_path / "training_state.pt", (1, 1, 1, 1))  # no parameter of that shape: nothing said
    assert capsys.readouterr().out == ""
