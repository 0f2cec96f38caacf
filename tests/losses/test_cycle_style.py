import torch

from cyclemedgan.losses.cycle_style import cycle_style_loss, gram_matrix


def test_gram_matrix_matches_direct_formula():
    f = torch.randn(2, 3, 5, 7)
    g = gram_matrix(f)
    b, d, h, w = f.shape
    direct = torch.zeros(b, d, d)
    for i in range(b):
        for m in range(d):
            for n in range(d):
                direct[i, m, n] = sum(f[i, m, y, x] * f[i, n, y, x] for y in range(h) for x in range(w)) / (h * w * d)
    torch.testing.assert_close(g, direct, rtol=1e-5, atol=1e-6)


def test_style_loss_matches_eq5_by_hand():
    fx, fxr = [torch.randn(1, 4, 6, 6)], [torch.randn(1, 4, 6, 6)]
    fy, fyr = [torch.randn(1, 4, 6, 6)], [torch.randn(1, 4, 6, 6)]
    loss = cycle_style_loss(fx, fxr, fy, fyr, (2.0,))
    by_hand = 2.0 / (4 * 16) * (((gram_matrix(fx[0]) - gram_matrix(fxr[0])) ** 2).sum()
                                + ((gram_matrix(fy[0]) - gram_matrix(fyr[0])) ** 2).sum())
    torch.testing.assert_close(loss, by_hand)


def test_style_loss_zero_when_reconstruction_equals_input():
    feats = [torch.randn(2, 4, 9, 7), torch.randn(2, 8, 5, 3)]
    assert float(cycle_style_loss(feats, feats, feats, feats, (1.0, 1.0))) == 0.0


def test_gram_stays_float32_under_bf16_autocast():
    f = torch.randn(1, 4, 6, 6)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        g = gram_matrix(f.bfloat16())
    assert g.dtype == torch.float32
    torch.testing.assert_close(g, gram_matrix(f.bfloat16().float()))
