"""The running session: the kernel (the composition root, ``kernel.py``) builds the one component
graph for a mode from the configuration and starts and stops it; around it the session's
options, the header's status numbers, the summary a session prints, the control socket and
session lock for a second shell, the log bridge, the engine-error policy, the venue clients a
session runs on, built by name (``venue_registry.py``), and the API keys of live venues
(``credentials.py``)."""
