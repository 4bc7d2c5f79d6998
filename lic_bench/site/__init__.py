"""Pure render functions: knowledge base, graph and results -> Markdown / plotly HTML.

Nothing here imports torch; ``site/hooks.py`` only adapts these to MkDocs.
"""
