"""Each user's files on local disk."""
