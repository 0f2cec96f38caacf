"""What ``compare`` and ``demo`` write for a reader, apart from how the methods are run:

  tables.py   ``MethodResult`` (one scored row), Table I as markdown, table.csv, lesions.csv
  figures.py  Fig. 3 (rows of slices, one column per method, |error| maps) and the loss curves
  html.py     compare's report.html
"""
