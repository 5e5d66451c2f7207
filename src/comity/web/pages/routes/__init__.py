"""Page routes, one module per subject (sign-in, language, dashboard, agreements)."""
