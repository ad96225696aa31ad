"""The Textual workstation. Knows the engine only through ``Kernel`` views and methods."""
