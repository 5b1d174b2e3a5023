"""A production-sized data set for the bench (`manage.py seed_scale`): written with COPY, not through the
services one row at a time, with the history rows each state machine would have written."""

from .build import ScaleResult, build

__all__ = ["ScaleResult", "build"]
