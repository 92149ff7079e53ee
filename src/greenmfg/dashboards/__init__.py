"""Dashboards for authorities (issue 17): where titles are and how the pipeline stands, in a bureau's
jurisdiction only."""
