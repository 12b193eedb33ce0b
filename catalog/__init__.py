"""Health metadata catalogue: harvest, validate, store, index and serve DCAT/HealthDCAT-AP."""

__version__ = "0.1.0"
