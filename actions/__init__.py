"""Rasa custom actions and the plain libraries they use.

``actions.server`` registers every Action subclass in this package's modules. The
libraries (``actions.emotion``, ``actions.store``, ``actions.replies``) import no Rasa
code, so the gateway can use them too.
"""
