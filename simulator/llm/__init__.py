"""Model calls: the only package that imports openai."""
