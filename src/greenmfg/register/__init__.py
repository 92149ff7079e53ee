"""The public register and open data: a read model of every published title (the national lists and
titles granted on the platform), searchable without login, with a JSON API and CSV/Excel downloads."""
