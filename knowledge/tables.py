"""Every table module, imported in one place so Alembic and tests see the whole schema.

Later slices (incidents, tickets, digest) add their modules here.
"""

from knowledge import models  # noqa: F401
