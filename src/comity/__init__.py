"""comity: the working system behind an intergovernmental cooperation agreement."""

__version__ = "0.1.0"
