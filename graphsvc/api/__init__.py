"""The v1 HTTP API (FastAPI; :func:`graphsvc.api.main.create_app` builds the app): API keys and roles
(``security``, ``deps``), the role and consent rules (``policy``), the consent register (``consent``), the
append-only audit trail (``audit``), and the routers: resources and ties, matching and placements, consent
grants, the gap report and resource map, HSDS 3.0 reads (all under ``/v1/towns/{town}/``), audit export and
key management under ``/v1/`` (admin), and ``/healthz``. The staff pages under ``/app/`` are in
:mod:`graphsvc.web`."""
