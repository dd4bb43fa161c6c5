"""The Neo4j 5 adapter of the ``GraphStore`` port.

- :mod:`.statements`: the catalogue of every Cypher statement the adapter sends (and :func:`all_statements`, which
  the Cypher lint test reads);
- :mod:`.adapter`: :class:`Neo4jStore` (transactions, batches, schema, reads) and :func:`list_towns`;
- :mod:`.values`: dates and times between the port and Neo4j;
- :mod:`.errors`: driver failures as one Japanese message naming the server;
- :mod:`.gds_statements` and :mod:`.gds`: the network questions answered by Graph Data Science in the database.
"""

from graphsvc.store.neo4j.adapter import DEFAULT_BATCH_ROWS, Neo4jStore, Recorder, list_towns
from graphsvc.store.neo4j.statements import Statement, all_statements

__all__ = ["DEFAULT_BATCH_ROWS", "Neo4jStore", "Recorder", "Statement", "all_statements", "list_towns"]
