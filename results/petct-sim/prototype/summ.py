import csv, sys, numpy as np
keys = ["tune/mae", "tune/ssim", "tune/bone_dice", "tune/bone_surface_dice", "tune/mae_bone"]
print("| run | MAE | SSIM | bone Dice | surface Dice | bone MAE | at the last point: MAE / Dice / surface |")
print("|---|---|---|---|---|---|---|")
for f in sys.argv[1:]:
    rows = [r for r in csv.DictReader(open(f)) if r.get("tune/score")]
    last = rows[-3:]
    m = [np.mean([float(r[k]) for r in last]) for k in keys]
    l = rows[-1]
    print(f"| {f.split('/')[-2] if f.endswith('metrics.csv') else f.split('/')[-1]} | {m[0]:.1f} | {m[1]:.3f} | {m[2]:.3f} | {m[3]:.3f} | {m[4]:.0f} | "
          f"{float(l['tune/mae']):.1f} / {float(l['tune/bone_dice']):.3f} / {float(l['tune/bone_surface_dice']):.3f} ({l['step']}) |")
