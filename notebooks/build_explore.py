"""Write notebooks/explore.ipynb from the cells below and execute it, so the
committed notebook carries its outputs (the plots show where the repo is browsed).

    python notebooks/build_explore.py          # ingests data/kb-sample.tar.gz, as the README's first command does

The saved outputs name files relative to the repository, never the absolute
paths of the machine that built it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

CELLS = [
    ("md", """# The Knowledge Base corpus at a glance

This notebook reads a kbparse dataset: the one named by `KBPARSE_DATA` when it is set;
otherwise it ingests `data/kb-sample.tar.gz` (the real articles shipped with the repository,
the README's tour) into a temporary folder. Every table is a DuckDB view with its name."""),
    ("code", """import os, tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import kbparse

root = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
data = os.environ.get("KBPARSE_DATA")
if not data:
    archive = root / "data" / "kb-sample.tar.gz"
    data = Path(tempfile.mkdtemp()) / "kb-data"
    result = kbparse.ingest([archive], data)
    print(f"ingested {result.articles:,} articles from {archive.relative_to(root)}")
con = kbparse.open_dataset(data)
con.sql("select count(*) as articles, min(last_modified) as first, max(last_modified) as last from articles").df()"""),
    ("md", "## Articles per year (of last modification)\n\nEvery year from the first to the last, those without articles as empty bars."),
    ("code", """counts = con.sql(\"\"\"
    select year(last_modified) as year, count(*) as articles
    from articles where last_modified is not null group by all
\"\"\").df().set_index("year")["articles"]
years = range(int(counts.index.min()), int(counts.index.max()) + 1)
per_year = counts.reindex(years, fill_value=0).rename_axis("year").reset_index()
fig, ax = plt.subplots(figsize=(10, 3.5))
ax.bar(per_year["year"], per_year["articles"], color="#4477aa")
ax.set_xticks(list(years)); ax.tick_params(axis="x", labelrotation=90)
ax.set_ylabel("articles"); ax.set_title("Articles per year"); plt.tight_layout(); plt.show()
print("years without articles:", ", ".join(str(y) for y in per_year.loc[per_year["articles"] == 0, "year"]) or "none")"""),
    ("md", "## Articles per product (the 15 largest)"),
    ("code", """per_product = con.sql(\"\"\"
    select coalesce(product_name, '(none)') as product, count(*) as articles
    from articles group by all order by articles desc limit 15
\"\"\").df()
ax = per_product.iloc[::-1].plot.barh(x="product", y="articles", legend=False, figsize=(9, 5), color="#228833")
ax.set_xlabel("articles"); ax.set_title("Articles per product"); plt.tight_layout(); plt.show()"""),
    ("md", "## Issue-type mix per product\n\nThe share of each issue type among the articles of the eight products with the most typed articles."),
    ("code", """mix = con.sql(\"\"\"
    with typed as (
        select a.product_name as product, i.issue_type
        from articles a join issue_types i using (article_id)
    ), top as (
        select product from typed group by all order by count(*) desc limit 8
    )
    select product, issue_type, count(*) as n from typed where product in (select product from top)
    group by all
\"\"\").df()
table = mix.pivot_table(index="product", columns="issue_type", values="n", fill_value=0, observed=True)
share = table.div(table.sum(axis=1), axis=0)
ax = share.plot.barh(stacked=True, figsize=(10, 4.5), colormap="tab10")
ax.set_xlabel("share of the product's typed articles"); ax.set_title("Issue types per product")
ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left"); plt.tight_layout(); plt.show()"""),
    ("md", "## The most cited articles\n\nHow many articles of the corpus mention each article number."),
    ("code", """cited = con.sql(\"\"\"
    select r.referenced_id as article, count(*) as cited_by
    from cross_references r group by all order by cited_by desc, article limit 15
\"\"\").df()
ax = cited.iloc[::-1].plot.barh(x="article", y="cited_by", legend=False, figsize=(8, 5), color="#aa3377")
ax.set_xlabel("articles citing it"); ax.set_title("Most cited articles"); plt.tight_layout(); plt.show()"""),
    ("md", """## What STATUS sections say, per product

The facts layer classes each article's STATUS section (`status` table): fixed,
a hotfix available, still being researched, only confirmed, by design... For the
products with the most classified articles, the share of each class."""),
    ("code", """status = con.sql(\"\"\"
    with classed as (
        select a.product_name as product, s.status
        from articles a join status s using (article_id) where a.product_name is not null
    ), top as (
        select product from classed group by all order by count(*) desc, product limit 8
    )
    select product, status, count(*) as n from classed where product in (select product from top)
    group by all
\"\"\").df()
table = status.pivot_table(index="product", columns="status", values="n", fill_value=0, observed=True)
ax = table.div(table.sum(axis=1), axis=0).plot.barh(stacked=True, figsize=(10, 4.5), colormap="tab10")
ax.set_xlabel("share of the product's STATUS sections"); ax.set_title("STATUS classes per product (facts layer)")
ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left"); plt.tight_layout(); plt.show()"""),
    ("md", """## A question in SQL: which products' bugs get fixed?

Among the articles typed `kbbug`, the share whose solution type is `kbfix`, for products
with at least 10 such articles."""),
    ("code", """con.sql(\"\"\"
    select a.product_name as product,
           count(*) as bug_articles,
           count(*) filter (where s.solution_type = 'kbfix') as fixed,
           round(100.0 * count(*) filter (where s.solution_type = 'kbfix') / count(*), 1) as pct_fixed
    from articles a
    join issue_types i using (article_id)
    left join solution_types s using (article_id)
    where i.issue_type = 'kbbug'
    group by all having count(*) >= 10
    order by pct_fixed desc
\"\"\").df()"""),
]


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src) for kind, src in CELLS]
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path = HERE, timeout: int = 300) -> nbformat.NotebookNode:
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


if __name__ == "__main__":
    notebook = execute(build())
    nbformat.write(notebook, HERE / "explore.ipynb")
    print(f"wrote {HERE / 'explore.ipynb'}")
