"""The tracking endpoint, request parsing and validation, and the processing pipeline."""
