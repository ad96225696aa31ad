"""Screens: modal dialogs over the workstation."""
