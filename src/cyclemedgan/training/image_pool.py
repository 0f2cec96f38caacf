"""History of generated images (Shrivastava et al. 2017; CycleGAN's pool of 50).

The discriminator sees, for each image of a new batch, with probability 1/2 a random older fake
(which the new one replaces in the pool) and otherwise the new fake itself.
"""
from __future__ import annotations

import torch


class ImagePool:
    def __init__(self, size: int = 50, generator: torch.Generator | None = None):
        self.size, self.images, self.rng = size, [], generator

    def query(self, batch: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) detached fakes -> (B, C, H, W) mix of new and pooled fakes."""
        if self.size == 0:
            return batch
        out = []
        for img in batch.detach():
            img = img[None]
            if len(self.images) < self.size:
                self.images.append(img)
                out.append(img)
            elif torch.rand((), generator=self.rng) < 0.5:
                i = int(torch.randint(len(self.images), (), generator=self.rng))
                out.append(self.images[i].clone())
                self.images[i] = img
            else:
                out.append(img)
        return torch.cat(out)
