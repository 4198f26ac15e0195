"""reviewqa: search child safeguarding case reviews; every answer is a verbatim, cited passage."""

__version__ = "0.1.0"
