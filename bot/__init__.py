"""The gateway: channels, handoff, console, and the tools that run the whole stack."""
