"""Rules: conditions over the payload and typed values, and the actions they take."""
