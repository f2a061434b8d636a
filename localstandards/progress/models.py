"""Progress has no tables of its own: it reads returns, extensions and data-quality flags (assessments)."""
