"""The BiGAN whose discriminator becomes the feature extractor: trained on training subjects only."""
import torch

from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.training.pretrain_extractor import bigan_step


def test_one_bigan_step_trains_the_discriminator_encoder_and_generator():
    torch.manual_seed(0)
    bigan = BiGAN(image_size=32, latent_dim=8, width=4)
    opt_d = torch.optim.Adam(bigan.discriminator.parameters(), lr=1e-3)
    opt_eg = torch.optim.Adam(list(bigan.encoder.parameters()) + list(bigan.generator.parameters()), lr=1e-3)
    before = {k: v.clone() for k, v in bigan.state_dict().items()}
    loss_d, loss_eg = bigan_step(bigan, opt_d, opt_eg, torch.rand(4, 1, 32, 32) * 2 - 1, torch.randn(4, 8))
    assert torch.isfinite(loss_d) and torch.isfinite(loss_eg) and loss_d > 0 and loss_eg > 0
    for part in ("discriminator", "encoder", "generator"):
        assert any(not torch.equal(v, before[f"{part}.{k}"])
                   for k, v in getattr(bigan, part).state_dict().items()), part


def test_the_extractor_is_trained_on_training_subjects_and_kept_alone_in_fp16(tiny_extractor):
    from safetensors.torch import load_file

    from cyclemedgan.checkpoint import read_run

    cfg, meta = read_run(tiny_extractor)
    assert meta["train_subjects"] == ["S001", "S002", "S003", "S004"]  # never S005, S006 (val)
    assert meta["done"] and meta["step"] == cfg.extractor.steps == 3
    weights = load_file(str(tiny_extractor / "model.safetensors"))
    assert weights and all(k.startswith("extractor.x_path.") for k in weights)
    assert {v.dtype for v in weights.values()} == {torch.float16}
