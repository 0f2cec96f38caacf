"""The paired volumes of a role's subjects (scored, never trained on)."""
from dataclasses import replace

from cyclemedgan.data.validation import PairedVolume, validation_pairs


def test_validation_pairs_are_the_subjects_of_the_role_with_their_files(tiny_config, tiny_dataset):
    cfg = replace(tiny_config.data, task="folders", source_pattern="{subject}_T2.nii.gz",
                  mask_pattern="{subject}_T1.nii.gz")
    pairs = validation_pairs(cfg)
    assert pairs == [PairedVolume(s, tiny_dataset / f"{s}_T2.nii.gz", tiny_dataset / f"{s}_T1.nii.gz",
                                  mask=tiny_dataset / f"{s}_T1.nii.gz") for s in ("S005", "S006")]
    assert [p.subject for p in validation_pairs(cfg, role="train_x")] == ["S001", "S002"]
    assert validation_pairs(cfg, role="tune") == []  # the tiny split has no tune subject
