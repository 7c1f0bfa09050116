"""The quarterly steering report: frozen figures per quarter, versioned.

``figures`` computes a quarter's figures from the same queries as the pages;
``snapshot`` closes, restates and publishes versions; ``costshare`` is the
cost-share statement; ``pdf`` and ``xlsx`` render a stored version (the same
bytes every time); ``delivery`` e-mails published versions to steering groups.
"""
