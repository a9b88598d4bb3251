"""The areas of a review, in the order of the report: each is one notebook and one page. Its own module, without
imports, so that the command can name them before it loads anything heavy (cli.py starts the kernels first)."""

AREAS = ("consent", "bias", "transparency", "governance")
