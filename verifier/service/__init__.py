"""The service: watched sources checked on a schedule through a job queue, behind an HTTP API.

``verifier serve`` runs the web app, the queue's consumer and its scheduler in one process,
with everything under one data folder (:mod:`.paths`). Runs use the same library API as the
command line (:mod:`verifier.api`), with the service's own SQLite file as their store.
"""
