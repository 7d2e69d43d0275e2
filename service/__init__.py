"""HTTP API and moderators' page: a thin shell over classifier.Auditor."""
