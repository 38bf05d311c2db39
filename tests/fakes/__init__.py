"""Stand-ins for internet services only (the Telegram Bot API), served on loopback."""
