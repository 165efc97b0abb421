"""Segments: the definition grammar, its translation to SQL, and stored segments."""
