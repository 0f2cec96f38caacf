"""cyclemedgan: unsupervised medical image translation with Cycle-MedGAN (Armanious et al. 2019)."""

__version__ = "0.1.0"
