"""Health metadata catalogue: harvest, validate, store, index and serve DCAT/HealthDCAT-AP."""

__version__ = "0.1.0"
"""The version, written only here (pyproject.toml reads it); harvesters send it in their User-Agent."""
