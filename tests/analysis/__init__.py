"""Tests of the analysis models and rules."""
