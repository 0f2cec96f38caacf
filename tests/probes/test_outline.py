"""The outline probe on the IBSI patients."""
import numpy as np
import pytest
from conftest import PET2CT_STS as CONFIG

from cyclemedgan.config import load_config, replace
from cyclemedgan.training.tune import TuneSet


def test_outline_probe_reports_the_reference_and_a_pet_drawn_map(capsys):
    from cyclemedgan.probes.outline import outline

    rows = outline(str(CONFIG))
    assert len(rows) == 4 and all(0 < r["ring"] < 1 and 0 < r["dice"] <= 1 for r in rows)
    tune = TuneSet(replace(load_config(CONFIG), train={"tune_roles": ("tune",)}))  # outline's role: tune
    assert np.mean([r["mae_ct_body"] for r in rows]) == pytest.approx(tune.base_scores["mae"])
    assert "from the PET" in capsys.readouterr().out
