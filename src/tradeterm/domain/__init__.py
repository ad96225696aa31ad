"""Pure value types: no I/O, no asyncio, no textual."""
