"""The `socialpulse` command line as a package: `root` (the root app and global options),
`common` (what every command shares), one module per command group, and `main` (which imports
them all and runs the app). The console script is ``socialpulse.interfaces.cli:entrypoint``."""

from socialpulse.interfaces.cli.main import app, entrypoint, main

__all__ = ["app", "entrypoint", "main"]
