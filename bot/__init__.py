"""The gateway: channels, handoff, console; bot/ops: the tools that run the stack."""
