"""compare's report.html: Table I per seed, Fig. 3, the training curves, the tumour check, the
per-subject numbers, the command and the config, on one page."""
from __future__ import annotations

import html
import json
from pathlib import Path

import yaml

from cyclemedgan.config import Config, to_dict
from cyclemedgan.report.tables import MethodResult

CT_NOTE = ("<p>Synthetic CT scored in Hounsfield units (cyclemedgan/metrics_ct.py): MAE inside the body (real "
           "CT &gt; -500 HU); PSNR and SSIM on -1000..1500 HU (data range 2500 HU) inside the body; bone Dice of "
           "&gt; 250 HU; MAE inside the tumour mask. The bulk-density row (body 0 HU, air -1000 HU, body from the "
           "real CT) is what a two-class attenuation map gives: a synthetic CT that does not beat it on MAE is "
           "not useful for attenuation correction. Error maps: 0-500 HU.</p>")
STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}\n"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}pre{background:#f4f4f4;padding:8px;overflow:auto}")


def markdown_to_html_table(md: str) -> str:
    """The first markdown table in ``md`` as an HTML <table> (header row in <th>; cells in
    ``**bold**`` stay bold, escaped)."""
    lines, started = [], False
    for ln in md.splitlines():
        if ln.startswith("|"):
            started = True
            if not ln.startswith("|---"):
                lines.append(ln)
        elif started:
            break
    out = ["<table>"]
    for i, ln in enumerate(lines):
        cells = [c.strip() for c in ln.strip("|").split("|")]
        tag = "th" if i == 0 else "td"
        row = "".join(f"<{tag}>{html.escape(c).replace('**', '')}</{tag}>" if "**" not in c
                      else f"<{tag}><b>{html.escape(c.replace('**', ''))}</b></{tag}>" for c in cells)
        out.append(f"<tr>{row}</tr>")
    return "\n".join(out + ["</table>"])


def _lesion_section(lesions: list[dict]) -> str:
    """The tumour check: lesion rows ({subject, image, cnr_whole, cnr_enhancing}) and tumour.png."""
    if not lesions:
        return ""
    rows = "".join(f"<tr><td>{r['subject']}</td><td>{html.escape(r['image'])}</td>"
                   f"<td>{r['cnr_whole']:.3f}</td><td>{r['cnr_enhancing']:.3f}</td></tr>" for r in lesions)
    return ("<h2>Is the tumour still there?</h2><p>Tumour contrast-to-noise ratio against the rest "
            "of the brain, (mean tumour - mean brain) / std brain, per subject; a translation that "
            "keeps the pathology is close to the target's value.</p><table><tr><th>subject</th>"
            f"<th>image</th><th>CNR whole tumour</th><th>CNR enhancing (label 4)</th></tr>{rows}</table>"
            '<img src="tumour.png" style="max-width:100%">')


def write_page(out: Path, cfg: Config, command: str, seeds: list[int], results: list[MethodResult],
               keys: list[str], lesions: list[dict]) -> None:
    """OUT/report.html from OUT/table.md (each ``## `` section's table in HTML, the whole file as
    text), figure.png, curves.png, the lesion rows of ``_lesion_section`` (may be empty), the
    ``command`` that made it and ``cfg`` as YAML; ``keys``: the metric columns (``bone_dice``
    among them adds the note on HU scoring)."""
    table_md = (out / "table.md").read_text()
    tables = "".join(f"<h3>{html.escape(part.splitlines()[0].lstrip('# '))}</h3>{markdown_to_html_table(part)}"
                     for part in table_md.split("\n## ") if "|" in part)
    ct_note = CT_NOTE if "bone_dice" in keys else ""
    config_yaml = yaml.safe_dump(json.loads(json.dumps(to_dict(cfg))), sort_keys=False)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>cyclemedgan compare: {html.escape(cfg.name)}</title>
<style>{STYLE}</style>
</head><body><h1>{html.escape(cfg.name)}: method comparison</h1>
<p>Every method: same training subjects, batch size {cfg.train.batch_size}, {cfg.train.steps} optimizer steps,
seed(s) {', '.join(map(str, seeds))}; scored on {len(results[0].per_subject)} validation subjects
(mean &plusmn; std over subjects; best mean in bold). With budgets this short a ranking can be noise.</p>
{ct_note}{tables}<h2>Images (Fig. 3)</h2><img src="figure.png" style="max-width:100%">
<h2>Training curves</h2><img src="curves.png" style="max-width:100%">{_lesion_section(lesions)}
<h2>Per subject and timings</h2><pre>{html.escape(table_md)}</pre>
<h2>Command</h2><pre>{html.escape(command)}</pre>
<h2>Config</h2><pre>{html.escape(config_yaml)}</pre>
</body></html>"""
    (out / "report.html").write_text(page)
