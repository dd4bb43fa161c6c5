"""Services: use cases over a :class:`~graphsvc.store.port.GraphStore` (matching, placements)."""
