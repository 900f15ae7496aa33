"""Shared pytest configuration.

The test folders are packages (so that test modules in different folders may share a
name); the op-table harness is importable as `harness` from every one of them.
"""
import sys

from tests import harness

sys.modules.setdefault("harness", harness)
