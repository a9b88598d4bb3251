"""Review the ethics of AI in marketing: consent coverage, bias in targeting, transparency of AI use."""

__version__ = "0.1.0"
