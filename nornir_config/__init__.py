"""communelan: infrastructure as code for the commune office LANs of a province."""

__version__ = "0.1.0"
