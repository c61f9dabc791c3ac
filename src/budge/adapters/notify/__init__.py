"""Desktop notifications: budge's own per OS, plyer wherever it still serves."""
