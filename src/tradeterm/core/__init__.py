"""What every component plugs into: bus, clock, engine views. Imports only domain/."""
