"""Open from GitHub (or any git host) and Save a copy in GitHub; see docs/github.md."""
