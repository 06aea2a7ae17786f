"""Search over the note (every published version and translation) and the published comments.

Part of the composed site, beside ``campaign.pages``: it reads guidance and comments, and neither
knows it. ``views.search`` is the page, ``selectors`` finds and loads the results, ``backends`` says
how words are found (PostgreSQL's full text, or a plain fallback on SQLite), ``highlight`` turns
matches into safe HTML.
"""
