"""Words and numbers as a reader sees them: the one rounding rule, plain English, redaction."""
