"""The tissues probe on the IBSI patients."""
import pytest
from conftest import PET2CT_STS as CONFIG

from cyclemedgan.errors import UserError


def test_tissues_probe_orders_the_classes_by_uptake(capsys):
    from cyclemedgan.probes.tissues import tissues

    out = tissues(str(CONFIG), roles=("tune",))
    med = {k: v["percentiles"][2] for k, v in out.items()}
    assert med["air"] < med["fat"] < med["soft tissue"]  # FDG: air ~0, fat low, muscle higher
    assert med["fat"] < med["bone"] < med["soft tissue"]  # bone's uptake lies between fat's and muscle's,
    assert out["fat"]["auc_bone"] > 0.5 > out["soft tissue"]["auc_bone"]  # so its AUC is above 0.5 against fat only
    assert "(4 patients: tune)" in capsys.readouterr().out
    with pytest.raises(UserError, match="no paired patients"):
        tissues(str(CONFIG), roles=("nobody",))
