"""Runtimes: Jupyter servers that run users' code, and the policy that hands them out."""
