"""Screens: the help screen and modal dialogs over the workstation."""
