"""Tests of the emotion and frustration library (``actions.emotion``)."""
