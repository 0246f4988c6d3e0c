"""``python -m socialpulse.interfaces.cli``: the same command line as the console script."""

from socialpulse.interfaces.cli.main import entrypoint

entrypoint()
