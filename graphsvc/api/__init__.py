"""HTTP API (FastAPI). Only health and aggregate endpoints so far; the full API is a later issue."""
