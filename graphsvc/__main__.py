"""``python -m graphsvc`` runs the ``tsunagari`` command."""

from graphsvc.cli import main

main()
