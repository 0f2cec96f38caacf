"""Builders of the embedded data sets, one module per source (as TorchIO keeps ``datasets/``
apart from ``data/``): each turns the published originals into the compact folders under
``data/`` and is run once, by hand, with the originals at hand (never at training or test time).

- ``ibsi_sts``: the IBSI soft-tissue-sarcoma FDG PET/CT patients -> ``data/ibsi-sts-petct/``;
- ``spm_templates``: SPM12's PET and transmission templates -> the PET -> CT exercise head.

The IXI split is made by ``cyclemedgan.data.split`` (``balanced_split``, ``with_tune``).
"""
