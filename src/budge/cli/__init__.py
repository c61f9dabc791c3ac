"""The ``budge`` command line."""
