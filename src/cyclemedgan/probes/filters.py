"""What do fixed filters do to the tune subjects' inputs?

``cyclemedgan probe filters CONFIG``: clipping to the percentile window, unsharp masks and
Gaussian smoothing applied to each tune subject's input volume, scored exactly like the tune
curve (SSIM, PSNR, selection score against the input), then how much of the input's error
(input - target, inside the mask) is low-frequency: its share of energy below a 2-pixel Gaussian.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import ndimage

from cyclemedgan.config import load_config
from cyclemedgan.data.intensity import percentile_window
from cyclemedgan.data.io import from_canonical, to_canonical
from cyclemedgan.training.tune import TuneSet, selection_score

Filter = Callable[[np.ndarray], np.ndarray]  # canonical (RAS) volume -> volume; axes 0, 1 in-plane


def fixed_filters(percentiles) -> dict[str, Filter]:
    """{name: filter} of the probe, in the order it prints them."""
    def clip(x):
        w = percentile_window(x, percentiles)
        return w.inverse(w.forward(x))

    out = {"input": lambda x: x, "clipped to the percentile window": clip}
    for sig, a in ((0.7, 0.3), (1.0, 0.3), (1.5, 0.3), (1.5, 0.6)):
        out[f"unsharp mask sigma {sig} px, amount {a}"] = \
            lambda x, s=sig, a=a: x + a * (x - ndimage.gaussian_filter(x, (s, s, 0)))
    for sig in (0.5, 1.0):
        out[f"Gaussian smoothing sigma {sig} px (in-plane)"] = lambda x, s=sig: ndimage.gaussian_filter(x, (s, s, 0))
    return out


def filters(config: str) -> None:
    """Print one scored line per filter, then the low-frequency share of each subject's error."""
    cfg = load_config(config)
    tune = TuneSet(cfg)  # loads the tune subjects and scores exactly like the tune curve
    base_in = {f"{k}_input": v for k, v in tune.base_scores.items()}
    print(f"{len(tune)} tune subjects of {cfg.data.split_file}")
    for name, f in fixed_filters(cfg.data.percentiles).items():
        s = tune.scores([from_canonical(f(to_canonical(t.source, t.affine)), t.affine) for t in tune.subjects])
        print(f"{name:44s} SSIM {s['ssim']:.4f}  PSNR {s['psnr']:.2f} dB  score {selection_score({**s, **base_in}):+.3f}")
    for t in tune.subjects:
        e = to_canonical(t.source, t.affine) - t.target
        low = ndimage.gaussian_filter(e, (2, 2, 0))
        m = t.mask
        print(f"share of the input's error energy below a 2-pixel Gaussian: {(low[m] ** 2).mean() / (e[m] ** 2).mean():.3f}")
