"""socialpulse: prove and grow the value of an organisation's social media."""

__version__ = "0.1.0"
