"""The development and operations side, not the gateway: start the whole stack
(``python -m bot.ops.stack run``, ``make run``: preflight.py, services.py,
supervisor.py), train the Rasa model
(``python -m bot.ops.train``), Rasa's launcher (``bot.ops.rasa_main``, run in
``.venv-rasa``), and what the tests and the benchmarks both use to drive a stack of
their own: free ports, private settings, a private redis-server, the widget protocol
client and the fake Telegram Bot API.

Nothing in the gateway or the action server imports this package.
"""
