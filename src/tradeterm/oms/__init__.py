"""Order management: client order ids, the order state machine, durable state, reconciliation."""
