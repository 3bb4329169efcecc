"""mxcheck: read a bounce, check the DNS, say why the mail came back and who must act."""

__version__ = "0.1.0"
