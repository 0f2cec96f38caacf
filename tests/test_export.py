"""export: a run's generators as a shippable checkpoint; --g2-from takes G2 from another paired run."""
import pytest
import torch
from safetensors.torch import load_file

from cyclemedgan.config import replace
from cyclemedgan.export import export
from cyclemedgan.training.loop import train
from cyclemedgan.translate import Translator


def test_g2_from_joins_one_runs_g1_and_anothers_g2(tune_config, tmp_path):
    base = replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0}, train={"tune_every": 0})
    one = train(base, tmp_path / "one", progress=False)  # G1 only
    other = train(replace(base, paired={"g2": True}, train={"seed": 5}), tmp_path / "two", progress=False)
    out = export(one, tmp_path / "out", g2_from=other)
    w, a, b = (load_file(str(p / "model.safetensors")) for p in (out, one, other))
    assert {k.split(".")[0] for k in w} == {"g1", "g2"}
    for k, v in w.items():  # G1 from the first run, G2 from the other (fp16 in the export)
        src = a if k.startswith("g1.") else b
        torch.testing.assert_close(v.float(), src[k].float(), rtol=1e-3, atol=1e-3, msg=k)
    assert not all(torch.equal(a[k], b[k]) for k in a if k.startswith("g1."))  # two different runs
    assert list(Translator(out, "BtoA").model.generator_nets()) == ["g2"]
    with pytest.raises(SystemExit, match="paired.g2"):
        export(one, tmp_path / "bad", g2_from=one)
