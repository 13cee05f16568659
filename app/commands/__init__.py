"""Sub-command implementations: each turns parsed arguments into service calls and output."""
