"""The Dash dashboard: queries -> figures -> pages. It never parses input files."""
