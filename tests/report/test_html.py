from cyclemedgan.report.html import markdown_to_html_table


def test_first_markdown_table_becomes_html_with_bold_cells_kept():
    md = "## Results\n\n| method | SSIM ↑ |\n|---|---|\n| a<b | **0.7 ± 0.1** |\n\nnote\n\n| other | table |\n"
    assert markdown_to_html_table(md) == ("<table>\n<tr><th>method</th><th>SSIM ↑</th></tr>\n"
                                          "<tr><td>a&lt;b</td><td><b>0.7 ± 0.1</b></td></tr>\n</table>")
