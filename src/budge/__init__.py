"""budge: a gentle desk-break reminder that teaches posture micromovements."""

__version__ = "0.1.0"
