"""Typed configuration: frozen dataclasses filled from YAML, with dotted ``--set`` overrides.

Every section is passed explicitly to the code that needs it (``DataConfig`` to the data
pipeline, ``ModelConfig`` to the networks, ...). The whole ``Config`` is written as JSON into
every checkpoint, so ``translate`` needs nothing but the run directory.
"""
from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml


class ConfigError(ValueError):
    """A config file or override that cannot be used (unknown key, bad value)."""


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
    # the bank of simulated training pairs (data.simulated_draws > 1): each draw's number of motion
    # events drawn from these (seeded by subject and draw); () = num_transforms for every draw.
    # Draw 0 and every tune / val / train_x volume keep num_transforms.
    bank_events: tuple[int, ...] = ()


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
    flip: Literal["none", "h"] = "none"  # training flips: "none" or "h" (along the first image axis, H: left-right)
    evaluation: Literal["image", "ct"] = "image"  # "image" (SSIM, PSNR, VIF, MAE in the target's units) or "ct" (HU scores, metrics_ct.py)
    # method "paired": whose pairs. "train_x": the train_x subjects' sources and their own targets (the
    # supervised bound, not unpaired); "train_y" (task motion): motion simulated on the clean train_y
    # volumes, so no X subject's clean scan is used (self-supervised by the known artifact model);
    # "bulk" (evaluation ct): each train_x source with a two-class pseudo-CT made from itself (source
    # above bulk_threshold: body, 0 HU; else air, -1000 HU), so no CT of any subject is used.
    paired_from: Literal["train_x", "train_y", "bulk"] = "train_x"
    bulk_threshold: float = 0.02  # paired_from bulk: body where the source is above this (source units, SUV)
    simulated_draws: int = 1  # paired_from train_y: independent motion simulations per clean volume
    # paired_from train_y: also (clean, clean) pairs, so G1 learns to leave motion-free slices alone
    # (the identity loss of a later unpaired fine-tune then asks nothing new of it)
    simulated_clean_pairs: bool = False
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
    # method paired: also train G2 (Y -> X) with L1 on the same pairs, so that both generators of a
    # later CycleGAN can start from them (train.init_from); the cycle then starts consistent
    paired_g2: bool = False
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
    # True: UNIT's own start, trained on co-registered pairs (as method "paired": data.paired_from
    # says whose): recon and kl as above plus L1 of both translations against their pairs, weighted
    # ``recon``; no discriminators, no adversarial or cycle terms.
    paired: bool = False
    # UNIT's start in ``compare`` (a UNIT run trained with ``paired``), in place of train.init_from,
    # which holds the other methods' generators; "" = random start.
    init_from: str = ""


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
    # G1 trained on simulated pairs (method paired, data.paired_from train_y); "" = random start
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
    train: TrainConfig = field(default_factory=TrainConfig)
    extractor: ExtractorConfig = field(default_factory=ExtractorConfig)


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Convert a YAML / command-line value to the dataclass field type ``tp``."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"'{key}' must be a mapping, got {value!r}")
        return _build(tp, value, key + ".")
    if origin is tuple:
        if isinstance(value, str):
            value = yaml.safe_load(value if value.strip().startswith("[") else f"[{value}]")
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"'{key}' must be a list, got {value!r}")
        args = typing.get_args(tp)
        elem = args[0]
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, elem, key) for v in value)
        if len(value) != len(args):
            raise ConfigError(f"'{key}' needs {len(args)} values, got {list(value)}")
        return tuple(_coerce(v, a, key) for v, a in zip(value, args))
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ConfigError(f"'{key}' must be true or false, got {value!r}")
    if tp in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"'{key}' must be a number, got {value!r}")
        try:
            out = tp(value)
        except (TypeError, ValueError):
            raise ConfigError(f"'{key}' must be {tp.__name__}, got {value!r}") from None
        if tp is int and float(value) != out:
            raise ConfigError(f"'{key}' must be an integer, got {value!r}")
        return out
    if typing.get_origin(tp) is Literal:  # checked against its values by validate
        if isinstance(value, bool):  # a YAML / JSON true or false, e.g. train.bf16 of older configs
            return "true" if value else "false"
        return str(value)
    if tp is str:
        if isinstance(value, bool):  # a YAML / JSON true or false, e.g. train.bf16 of older configs
            return "true" if value else "false"
        return str(value)
    raise ConfigError(f"unsupported type for '{key}'")  # pragma: no cover


def _build(cls: type, values: dict, prefix: str = ""):
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ConfigError(
            f"unknown config key '{prefix}{unknown[0]}'; valid keys here: {', '.join(names)}"
        )
    kwargs = {k: _coerce(v, hints[k], prefix + k) for k, v in values.items()}
    return cls(**kwargs)




def learns_train_x_targets(cfg: Config) -> bool:
    """True for a run trained on the ``train_x`` subjects' own targets (the supervised bound, UNIT's
    paired start): their targets then cannot score its choices."""
    paired = cfg.method == "paired" or (cfg.method == "unit" and cfg.unit.paired)
    return paired and cfg.data.paired_from == "train_x"


def _check_choices(node: Any, prefix: str = "") -> None:
    """Every ``Literal[...]`` field holds one of its values (fields declare their choices)."""
    hints = typing.get_type_hints(type(node))
    for f in dataclasses.fields(node):
        value, tp = getattr(node, f.name), hints[f.name]
        if dataclasses.is_dataclass(value):
            _check_choices(value, f"{prefix}{f.name}.")
        elif typing.get_origin(tp) is Literal and value not in typing.get_args(tp):
            raise ConfigError(f"{prefix}{f.name} is '{value}'; valid: {', '.join(typing.get_args(tp))}")


def validate(cfg: Config) -> Config:
    """Check values, not only types, so a bad config fails before anything is written."""
    _check_choices(cfg)
    d, m, t, e = cfg.data, cfg.model, cfg.train, cfg.extractor
    checks = [
        (d.image_size >= 16 and d.image_size % 4 == 0, "data.image_size must be a multiple of 4, at least 16"),
        (0 <= d.percentiles[0] < d.percentiles[1] <= 100, "data.percentiles must satisfy 0 <= lo < hi <= 100"),
        (d.range_x[0] < d.range_x[1] and d.range_y[0] < d.range_y[1], "data.range_x / range_y need lo < hi"),
        (d.log_offset > 0 and all(w != "log" or r[0] + d.log_offset > 0 for w, r in
                                  ((d.window_x, d.range_x), (d.window_y, d.range_y))),
         "data.log_offset must be > 0, and above minus the low end of a log window's range"),
        (0 <= d.min_foreground < 1, "data.min_foreground must be in [0, 1)"),
        (d.crop == (0, 0) or (16 <= min(d.crop) and max(d.crop) <= d.image_size and d.crop[0] % 4 == 0
                              and d.crop[1] % 4 == 0),
         "data.crop is (0, 0) or two multiples of 4 between 16 and data.image_size"),
        (d.context_slices >= 0 and m.in_channels == 2 * d.context_slices + 1,
         "model.in_channels must be 2 * data.context_slices + 1 (one channel per slice of the 2.5D stack)"),
        (cfg.loss.cycle_noise_std >= 0 and t.lr_d >= 0 and t.tune_every >= 0 and t.skip_nonfinite >= 0
         and t.workers >= 0,
         "loss.cycle_noise_std, train.lr_d, train.tune_every, train.skip_nonfinite and train.workers must not be negative"),
        (m.ngf > 0 and m.ndf > 0 and m.n_blocks >= 0 and m.n_layers_d >= 1, "model sizes must be positive"),
        (1 <= m.unet_depth <= 6, "model.unet_depth must be between 1 and 6"),
        (d.simulated_draws >= 1, "data.simulated_draws must be at least 1"),
        (d.paired_from != "train_y" or d.task == "motion",
         "data.paired_from 'train_y' simulates the source from clean volumes: it needs data.task 'motion'"),
        (d.paired_from != "bulk" or d.evaluation == "ct",
         "data.paired_from 'bulk' makes pseudo-CT targets: it needs data.evaluation 'ct'"),
        (cfg.method != "unit" or 1 <= m.unit_shared_blocks <= m.n_blocks,
         "UNIT needs 1 <= model.unit_shared_blocks <= model.n_blocks"),
        (t.steps >= 1 and t.batch_size >= 1 and t.lr > 0 and t.pool_size >= 0, "train.steps, batch_size, lr must be positive"),
        (t.tune_draws >= 1, "train.tune_draws must be at least 1"),
        (0 <= t.decay_start <= 1, "train.decay_start is a fraction in [0, 1]"),
        (e.image_size % 16 == 0 and e.steps >= 1 and e.batch_size >= 1,
         "extractor.image_size must be a multiple of 16; extractor.steps and batch_size positive"),
        (len(t.tune_roles) >= 1 and len(set(t.tune_roles)) == len(t.tune_roles)
         and set(t.tune_roles) <= {"tune", "train_x"},
         "train.tune_roles is one or both of tune, train_x (validation and train_y subjects are never scored for choices)"),
        ("train_x" not in t.tune_roles or not learns_train_x_targets(cfg),
         "train.tune_roles may not hold train_x here: this run learns from train_x's own targets (paired)"),
        (len(cfg.loss.layer_weights_cp) == 4 and len(cfg.loss.layer_weights_cs) == 4,
         "loss.layer_weights_cp / layer_weights_cs need one weight per extractor layer (4)"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(message)
    return cfg


def to_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def from_dict(values: dict) -> Config:
    return validate(_build(Config, values))


def _set_dotted(tree: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = tree
    cls: Any = Config
    for i, k in enumerate(keys):
        hints = typing.get_type_hints(cls)
        if k not in hints:
            where = ".".join(keys[:i]) or "top level"
            raise ConfigError(
                f"unknown config key '{dotted}'; valid keys at {where}: {', '.join(hints)}"
            )
        if i == len(keys) - 1:
            node[k] = value
        else:
            cls = hints[k]
            if not dataclasses.is_dataclass(cls):
                raise ConfigError(f"'{'.'.join(keys[: i + 1])}' is not a section")
            node = node.setdefault(k, {})


def parse_overrides(pairs: list[str]) -> list[tuple[str, Any]]:
    out = []
    for p in pairs:
        if "=" not in p:
            raise ConfigError(f"override '{p}' must look like key=value (e.g. train.steps=100)")
        k, v = p.split("=", 1)
        out.append((k.strip(), yaml.safe_load(v) if v.strip() else ""))
    return out


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Read a YAML file into a ``Config``; ``overrides`` are ``section.key=value`` strings."""
    tree: dict = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        try:
            tree = yaml.safe_load(path.read_text())
        except yaml.YAMLError as e:
            raise ConfigError(f"{path} is not valid YAML: {str(e).splitlines()[0]}") from None
        if tree is None:  # an empty file must not silently mean "train on built-in defaults"
            raise ConfigError(f"{path} is empty; a config needs at least its data section")
        if not isinstance(tree, dict):
            raise ConfigError(f"{path} must hold a mapping of sections")
    for k, v in parse_overrides(overrides or []):
        _set_dotted(tree, k, v)
    return from_dict(tree)


def replace(cfg: Config, **sections: dict) -> Config:
    """Return ``cfg`` with some fields of some sections changed, e.g. replace(cfg, train={...})."""
    tree = to_dict(cfg)
    for sec, vals in sections.items():
        if isinstance(vals, dict):
            tree[sec].update(vals)
        else:
            tree[sec] = vals
    return from_dict(tree)


def save_config(cfg: Config, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_dict(cfg), indent=2))


def read_config_json(path: str | Path) -> Config:
    return from_dict(json.loads(Path(path).read_text()))
