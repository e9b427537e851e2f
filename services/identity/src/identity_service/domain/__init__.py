"""The identity domain: validation rules, regions and aggregates; no web or database framework."""
