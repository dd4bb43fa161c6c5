"""The v1 HTTP API (FastAPI): :func:`graphsvc.api.mount.install` adds its routers and error handlers to the app
that :mod:`graphsvc.app` builds. API keys and bearer auth (``deps``), the mapping of domain errors to HTTP
problems (``errors``), the schemas, and the routers: resources and ties, matching and placements, consent
grants, the gap report and resource map, HSDS 3.0 reads (all under ``/v1/towns/{town}/``), audit export and
key management under ``/v1/`` (admin), and ``/healthz``. Handlers parse, call a use case of
:mod:`graphsvc.services` and render; the rules are in :mod:`graphsvc.access`. The staff pages under ``/app/``
are :mod:`graphsvc.web`, mounted beside the API; neither imports the other."""
