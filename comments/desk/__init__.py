"""The coordinators' moderation desk: queues, decisions, rules, organisations, audit log, statistics.

Views here are thin: they parse a form, call a function in ``comments.services``,
``comments.desk_services`` or ``campaign.organisations.services``, and redirect. Reads live in
``selectors.py`` and ``stats.py``. Every view is wrapped in ``coordinator_required``.
"""
