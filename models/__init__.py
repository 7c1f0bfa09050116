"""The bottom layer: configuration, tables and database sessions."""
