"""Settings are split into base (shared), dev (the default), test and production."""
