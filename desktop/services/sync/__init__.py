"""Sync with the county hub, as the township sees it: enrollment and the push of the event log.

The wire is ``sync`` (protocol models, ``sync.client.HubClient``); this package
defines what it needs from it as :class:`port.HubPort` and never imports
``requests``. The composition root (CLI, window) hands a real client in.
"""
