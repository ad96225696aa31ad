"""Screens of the workstation: help, and (later) order ticket, confirmations, replay."""
