"""The #SaveAsylum social media toolkit: post library, share graphics and scheduler."""

__version__ = "0.1.0"
