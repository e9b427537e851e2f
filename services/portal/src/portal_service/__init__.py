"""Web portal of the continuing-education platform: pages over the services' HTTP APIs."""
