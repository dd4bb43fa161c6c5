"""Services: every use case once, below both front doors (the API and the staff pages) and the CLI.

A use case takes the caller's :class:`~graphsvc.access.context.AccessContext`, checks the policy itself
(:mod:`graphsvc.access.policy`) and writes its own audit entry. ``town.open_town`` gives a caller's view of a
town with its use cases: ``records``, ``ties``, ``consent``, ``gaps``, ``households``, ``maps``, ``matching``,
``placements``; ``admin`` manages keys and audit reads inside the town line; ``learning`` refits the scorer.
:class:`~graphsvc.services.matching.MatchingService` and :class:`~graphsvc.services.placements.PlacementService`
are the engines over a store those use cases (and the CLI) drive. Submodules are imported on use.
"""
