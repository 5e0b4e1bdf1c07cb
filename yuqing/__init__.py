"""yuqing (舆情): public-opinion monitoring for emergency-management bureaus — the command-line application."""

__version__ = "0.1.0"
