"""The config's sections: frozen dataclasses, each field with its type, default and meaning.
Choices are ``Literal[...]`` types, checked at load (``checks.py``); ``choices`` reads them, so code
that lists a field's valid values takes them from here."""
from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Literal


class ConfigError(ValueError):
    """A config file or override that cannot be used (unknown key, bad value)."""


def choices(section: type, name: str) -> tuple[str | int, ...]:
    """The values the ``Literal[...]`` field ``name`` of the config section ``section`` may hold, in
    their declared order, e.g. ``choices(ModelConfig, "gan_mode") == ("lsgan", "vanilla")``."""
    tp = typing.get_type_hints(section)[name]  # resolves the annotations (strings under __future__)
    if typing.get_origin(tp) is not Literal:
        raise TypeError(f"{section.__name__}.{name} is not a Literal[...] field")
    return typing.get_args(tp)


@dataclass(frozen=True)
class MotionConfig:
    """Rigid head motion simulated in k-space on the 3D volume (TorchIO ``RandomMotion``).

    Ranges are those of voluntary head tilting in a scanner: rotations up to ``degrees`` about
    each axis, translations up to ``translation_mm`` along each axis, ``num_transforms`` motion
    events at random times of the acquisition. Seeded per subject (``seed`` + subject index).
    """

    degrees: float = 5.0
    translation_mm: float = 5.0
    num_transforms: int = 3
    seed: int = 1234
    # the bank of simulated training pairs (paired.draws > 1): each draw's number of motion
    # events drawn from these (seeded by subject and draw); () = num_transforms for every draw.
    # Draw 0 and every tune / val / train_x volume keep num_transforms.
    bank_events: tuple[int, ...] = ()
    # the array axis along which the motion events' k-space segments are stitched (the simulated
    # phase-encode axis). TorchIO always stitches along the last axis, which on the IXI arrays
    # (P, S, R) is left-right, in-plane (what data.crop and flip: h assume); 0 or 1 permutes the
    # volume (and its affine) so that axis comes last, and back: a motion model other than the one
    # the shipped corrector learnt (issue 18's "model B"). 2 keeps every cache key of before.
    kspace_axis: Literal[0, 1, 2] = 2


@dataclass(frozen=True)
class DataConfig:
    """Where the volumes are, how they become 2D slices in [-1, 1], and back.

    task: "motion" (domain Y = the real volumes ``root/file_pattern``, domain X = motion-corrupted
    copies simulated from them) or "folders" (domain X = ``root/source_pattern``, domain Y =
    ``root/file_pattern``; a validation subject's two volumes must be co-registered).
    window_x / window_y: how each domain maps to [-1, 1]: "percentile" (each volume its own
    ``percentiles`` window: MR, PET), "fixed" (``range_x`` / ``range_y``, e.g. CT in Hounsfield
    units) or "log" (the range, linear in log(value + ``log_offset``): PET in SUV). output_window: how outputs are mapped back to intensities: "input" (same-modality
    task: the input volume's own window, so outputs land on the input's scale) or "domain" (the
    output domain's window: its fixed range, or for a percentile domain the median window of
    that domain's training volumes, stored in the checkpoint).
    background: "none", or "min": voxels at their volume's minimum are background (z-scored data
    such as BraTS, whose background is one per-volume constant); they map to -1 exactly and are
    left out of percentile windows, so that constant cannot shift the window of the tissue.
    """

    task: Literal["motion", "folders"] = "motion"
    root: str = "data/ixi-t1-2mm"
    split_file: str = "data/ixi-t1-2mm/split.csv"
    file_pattern: str = "{subject}_T1.nii.gz"  # domain Y volume of a subject, under root
    source_pattern: str = ""  # domain X volume of a subject, under root (task "folders")
    mask_pattern: str = ""  # optional evaluation mask (e.g. brain mask) of a validation subject
    label_pattern: str = ""  # optional label map (e.g. tumour classes) of a validation subject
    image_size: int = 128
    fit_mode: Literal["pad_crop", "resize"] = "pad_crop"  # "pad_crop" (exact inverse) or "resize" (bilinear both ways)
    percentiles: tuple[float, float] = (0.5, 99.5)
    window_x: Literal["percentile", "fixed", "log"] = "percentile"
    window_y: Literal["percentile", "fixed", "log"] = "percentile"
    range_x: tuple[float, float] = (0.0, 1.0)
    range_y: tuple[float, float] = (0.0, 1.0)
    log_offset: float = 0.01  # c of the "log" windows: log(value + c)
    output_window: Literal["input", "domain"] = "input"
    background: Literal["none", "min"] = "none"  # "none" or "min" (see above)
    min_foreground: float = 0.05
    # magnitude MR: negative voxels of every volume read (training, tune, translate) are set to 0
    # before windowing. Real-part reconstructions, bias-corrected or normalised pipelines hand over
    # negative backgrounds (ringing) that would move the percentile window; a magnitude image has none
    clip_negative: bool = False
    crop: tuple[int, int] = (0, 0)  # training crops (H, W) of the fitted slices; (0, 0) = whole slices
    # training flips: "none", "h" (along the first image axis, H: left-right) or "hv" (each axis on its
    # own); with rot90 also quarter turns in-plane. All lossless (no resampling): a CT keeps its HU
    # voxel for voxel. rot90 moves a motion simulation's phase-encode axis: not for data.task motion
    flip: Literal["none", "h", "hv"] = "none"
    rot90: bool = False
    # training sources only: each image's intensities times U(a, b) in its own units (PET: SUV) before
    # its window, e.g. (0.9, 1.1) for a scanner's calibration and uptake time; never the target.
    # Needs a fixed or log window_x; (1, 1) = off
    source_scale: tuple[float, float] = (1.0, 1.0)
    evaluation: Literal["image", "ct"] = "image"  # "image" (SSIM, PSNR, VIF, MAE in the target's units) or "ct" (HU scores, metrics_ct.py)
    context_slices: int = 0  # 2.5D: k axial neighbours on each side as extra channels (model.in_channels = 2k + 1)
    cache_dir: str = ".cache"
    motion: MotionConfig = field(default_factory=MotionConfig)


@dataclass(frozen=True)
class ModelConfig:
    """Generators (ResNet, Zhu et al. 2017) and 70x70 PatchGAN discriminators; for UNIT the
    encoder/decoder width (ngf), residual blocks per encoder and decoder (n_blocks, of which
    unit_shared_blocks are shared) and multi-scale discriminators (ndf, n_layers_d, n_scales_d)."""

    in_channels: int = 1
    ngf: int = 32
    n_blocks: int = 6
    ndf: int = 64
    n_layers_d: int = 3
    global_residual: bool = True
    gan_mode: Literal["lsgan", "vanilla"] = "lsgan"  # "lsgan" (least squares) or "vanilla" (the log loss of Eq. 1)
    unit_shared_blocks: int = 1  # UNIT: residual blocks shared between the domains' encoders/decoders
    n_scales_d: int = 3  # UNIT: scales of the multi-scale discriminators
    upsample: Literal["deconv", "resize"] = "deconv"  # generator upsampling: "deconv" (ConvTranspose2d, Zhu et al.) or "resize"
    d_norm: Literal["instance", "spectral"] = "instance"  # PatchGAN normalisation: "instance" (Zhu et al.) or "spectral" (Miyato et al.)
    generator: Literal["resnet", "unet"] = "resnet"  # generators of cyclegan / cyclemedgan / paired: "resnet" (Zhu et al.) or "unet"; UNIT keeps its own
    unet_depth: int = 4  # generator "unet": times the U-Net halves the image (widths ngf, 2ngf, 4ngf, 8ngf, ...)


@dataclass(frozen=True)
class LossConfig:
    """Weights of Eq. 6 (lambda_cyc, lambda_cP, lambda_cS) and of each extractor layer.

    lambda_cP = lambda_cS = 0 is plain CycleGAN. ``extractor`` is a directory holding a BiGAN
    checkpoint (``cyclemedgan pretrain-extractor``); its discriminator's x-path features feed
    Eqs. 3-5. ``layer_weights_cp`` / ``layer_weights_cs`` give one weight per feature layer.
    """

    lambda_cyc: float = 10.0
    lambda_cp: float = 10.0
    lambda_cs: float = 1.0e7
    lambda_id: float = 5.0
    lambda_cyc_x: float = -1.0  # weight of the X -> Y -> X cycle term; negative = lambda_cyc
    lambda_cyc_y: float = -1.0  # weight of the Y -> X -> Y cycle term; negative = lambda_cyc
    lambda_fm: float = 0.0  # feature matching (Salimans et al. 2016): G matches D's mean features of real images
    cycle_noise_std: float = 0.0  # Gaussian noise added to G1(x) and G2(y) before the cycle (Bashkirova et al.)
    layer_weights_cp: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    layer_weights_cs: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    extractor: str = "weights/bigan-ixi"


@dataclass(frozen=True)
class UNITLossConfig:
    """UNIT's loss weights (Liu et al. 2017): gan 1, recon 10, kl 0.01, cycle recon 10, cycle kl 0.01."""

    gan: float = 1.0
    recon: float = 10.0
    kl: float = 0.01
    cycle_recon: float = 10.0
    cycle_kl: float = 0.01
    # True: UNIT's own start, trained on co-registered pairs (as method "paired": paired.pairs says
    # whose): recon and kl as above plus L1 of both translations against their pairs, weighted
    # ``recon``; no discriminators, no adversarial or cycle terms.
    paired: bool = False
    # UNIT's start in ``compare`` (a UNIT run trained with ``paired``), in place of train.init_from,
    # which holds the other methods' generators; "" = random start.
    init_from: str = ""


@dataclass(frozen=True)
class PairedConfig:
    """The co-registered (or simulated) training pairs of the paired trainings: method "paired" and
    UNIT's paired start (``unit.paired``) read it. The unpaired methods ignore it, except that the
    slice-store key holds ``pairs`` and ``bulk_threshold`` (``data/store.py``)."""

    # whose pairs. "train_x": the train_x subjects' sources and their own targets (the supervised
    # bound, not unpaired); "train_y" (data.task motion): motion simulated on the clean train_y
    # volumes, so no X subject's clean scan is used (self-supervised by the known artifact model);
    # "bulk" (data.evaluation ct): each train_x source with a two-class pseudo-CT made from itself
    # (source above bulk_threshold: body, 0 HU; else air, -1000 HU), so no CT of any subject is used;
    # "ct_sim" (data.evaluation ct): PET simulated from each train_y CT (pet_simulation.py: tissue
    # classes of the CT, SUV drawn from the train_x PETs' classes), paired with that real CT, so no
    # patient's PET meets its own CT (``draws`` simulations per CT, seeded by ``sim_seed``).
    pairs: Literal["train_x", "train_y", "bulk", "ct_sim"] = "train_x"
    bulk_threshold: float = 0.02  # pairs bulk: body where the source is above this (source units, SUV)
    draws: int = 1  # pairs train_y / ct_sim: independent simulations per training volume
    sim_seed: int = 0  # pairs ct_sim: seed of the simulated PETs
    # pairs ct_sim: whose uptake the CT's bone (>= 250 HU) takes in the simulated PET: "soft" tissue's
    # (bone shows only by anatomy) or "fat"'s (cortex holds almost no FDG: a cold ring in muscle)
    sim_bone: Literal["soft", "fat"] = "soft"
    # pairs train_y: also (clean, clean) pairs, so G1 learns to leave motion-free slices alone
    # (the identity loss of a later unpaired fine-tune then asks nothing new of it)
    clean_pairs: bool = False
    # method paired: also train G2 (Y -> X) with L1 on the same pairs, so that both generators of a
    # later CycleGAN can start from them (train.init_from); the cycle then starts consistent
    g2: bool = False
    # method paired: target voxels at or above ``weight_above`` (target units: HU for CT) count
    # ``target_weight`` times in the L1 (normalised by the mean weight). L1 regresses to the
    # conditional median, so a thin structure (cortical bone, 1-2 voxels) that the source marks with
    # probability p < 0.5 is never drawn; with weight w it is where p > 1 / (1 + w). 1 = plain L1.
    # Needs a fixed or log data.window_y (the threshold must mean the same in every volume).
    target_weight: float = 1.0
    weight_above: float = 250.0
    # method paired: the share alpha of a structural term in G1's loss, (1 - alpha) L1 + alpha (1 -
    # SSIM(G1(x), y)) (Zhao et al. 2017, "Loss functions for image restoration", alpha 0.84 with
    # MS-SSIM); SSIM by torchmetrics (Gaussian window 11, sigma 1.5) on the [-1, 1] slices. 0 = plain L1
    ssim_weight: float = 0.0


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation: Adam (lr 2e-4, betas 0.5/0.999), constant then linear lr decay to 0."""

    steps: int = 500
    decay_start: float = 0.5  # fraction of steps after which lr decays linearly to zero
    batch_size: int = 4
    lr: float = 2e-4
    lr_d: float = 0.0  # discriminators' learning rate; 0 = lr (set it above lr for TTUR)
    beta1: float = 0.5
    beta2: float = 0.999
    weight_decay: float = 0.0  # Adam weight decay (UNIT uses 1e-4)
    pool_size: int = 50
    # bf16 autocast: "auto" (only where bf16 is native: CUDA, or a CPU with AVX512-BF16 / AMX;
    # device.native_bf16), "true" or "false"; emulated bf16 is ~13x slower than fp32 (bench/)
    bf16: Literal["auto", "true", "false"] = "false"
    # decay of an exponential moving average of the generators' weights (training/ema.py), scored on
    # tune and kept in best/ in their place; 0 = off. ~0.999 averages over the last ~1,000 steps
    ema: float = 0.0
    seed: int = 0
    threads: int = 0  # torch intra-op threads; 0 = torch's default
    log_every: int = 10
    sample_every: int = 100
    checkpoint_every: int = 250
    skip_nonfinite: int = 0  # steps with a NaN / Inf loss that may be skipped before training stops
    tune_every: int = 0  # every N steps score the tune subjects (SSIM / PSNR of output and input); 0 = off
    # split roles scored by the tune curve: "tune", and optionally "train_x", whose sources are trained
    # on but whose targets never are in unpaired training (more subjects for the choice; refused where
    # a paired run or its start learnt from train_x's targets)
    tune_roles: tuple[str, ...] = ("tune",)
    # data.task motion: each tune subject scored on this many motion draws (draw 0 is its usual
    # corrupted volume, the others have their own seeds, same motion model), so that a tune point
    # swings less with one draw's severity
    tune_draws: int = 1
    # a run, best/ or exported folder whose generators start this run (same generator settings), e.g.
    # G1 trained on simulated pairs (method paired, paired.pairs train_y); "" = random start
    init_from: str = ""
    workers: int = 1  # DataLoader processes preparing batches ahead of the step; 0 = in the training process
    channels_last: bool = False  # networks and batches in channels_last memory format (GPU tensor cores)
    fused_adam: bool = False  # Adam's fused kernel (torch >= 2.4 on CPU, any on CUDA); same maths
    # torch.compile every network in place (nn.Module.compile: checkpoints keep their names), for GPU
    # throughput; compiling costs minutes on a CPU. compile_backend: "inductor" (generated kernels) or
    # "eager" (graph capture only: checks the path cheaply)
    compile: bool = False
    compile_backend: Literal["inductor", "eager", "aot_eager"] = "inductor"
    note: str = ""  # free text, e.g. the machine and wall time of a recorded run


@dataclass(frozen=True)
class ExtractorConfig:
    """BiGAN (Donahue et al. 2017) whose discriminator x-path is the frozen feature extractor."""

    image_size: int = 128
    latent_dim: int = 64
    width: int = 32
    steps: int = 1500
    batch_size: int = 32
    lr: float = 2e-4
    seed: int = 0


@dataclass(frozen=True)
class Config:
    name: str = "cyclemedgan"
    method: Literal["cyclemedgan", "cyclegan", "unit", "paired"] = "cyclemedgan"  # "cyclemedgan", "cyclegan" (lambda_cp = lambda_cs = 0), "unit" or
    # "paired" (the supervised upper bound: G1 trained with L1 on co-registered pairs; not unpaired)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    unit: UNITLossConfig = field(default_factory=UNITLossConfig)
    paired: PairedConfig = field(default_factory=PairedConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    extractor: ExtractorConfig = field(default_factory=ExtractorConfig)
